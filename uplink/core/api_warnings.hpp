// The warnings any client can provoke at will, each written at most once per few seconds
// with a count of those held back, so no client can fill the log.
#pragma once

#include "runtime/log_throttle.hpp"

namespace roomd {

struct ApiWarnings {
  LogThrottle accept_failed;
  LogThrottle refused;       // 503: connection limits
  LogThrottle unauthorized;  // 401
  LogThrottle denied;        // code 2: scope, role, privileged method
  LogThrottle suspicious;    // code 4: unknown command
  LogThrottle malformed;     // 400 and frames over api.max_frame
  LogThrottle limits;        // bindings, debug streams, execs in flight
  LogThrottle slow;          // 1008
  LogThrottle tls;           // failed TLS handshakes
};

}  // namespace roomd
