// The wall-clock time that records carry (log records, stored state, outbox records): Unix
// seconds with a fraction. Steady time for timeouts is base/asio.hpp's Clock.
#pragma once

#include <chrono>

namespace roomd {

inline double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace roomd
