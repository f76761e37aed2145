// The upstream's topic names for prefix P and box B (design.md, "Offline operation and
// store-and-forward"): P/B/online, P/B/state/<sys>/<mod>_<index>/<name>, P/B/events,
// P/B/cmd and P/B/resp.
#pragma once

#include <string>
#include <string_view>

namespace roomd {

struct UpstreamTopics {
  UpstreamTopics(std::string_view prefix, std::string_view box);

  // The retained topic of one status variable of module `mod`_`index` in system `sys`.
  std::string state(std::string_view sys, std::string_view mod, int index,
                    std::string_view name) const;

  std::string base;  // "P/B"
  std::string online;
  std::string events;
  std::string cmd;
  std::string resp;
};

}  // namespace roomd
