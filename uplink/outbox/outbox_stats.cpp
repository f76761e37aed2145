#include "uplink/outbox/outbox_stats.hpp"

namespace roomd {

Json OutboxStats::to_json() const {
  Json evicted_json = Json::object();
  for (const auto& [kind, count] : evicted) evicted_json[kind] = count;
  return {{"epoch", epoch},         {"committed_seq", committed_seq},
          {"acked_seq", acked_seq}, {"pending", pending},
          {"bytes", bytes},         {"evicted", std::move(evicted_json)},
          {"refused", refused}};
}

}  // namespace roomd
