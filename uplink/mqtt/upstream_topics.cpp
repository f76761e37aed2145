#include "uplink/mqtt/upstream_topics.hpp"

namespace roomd {

UpstreamTopics::UpstreamTopics(std::string_view prefix, std::string_view box)
    : base(std::string(prefix) + "/" + std::string(box)),
      online(base + "/online"),
      events(base + "/events"),
      cmd(base + "/cmd"),
      resp(base + "/resp") {}

std::string UpstreamTopics::state(std::string_view sys, std::string_view mod, int index,
                                  std::string_view name) const {
  std::string topic = base + "/state/";
  topic.append(sys).append("/").append(mod).append("_").append(std::to_string(index));
  return topic.append("/").append(name);
}

}  // namespace roomd
