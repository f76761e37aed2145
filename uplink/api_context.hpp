// What every API component shares: the runtime it serves, the keys, the notify fan-out, the
// metrics, the API's logger and the open WebSocket sessions. Held by shared_ptr by the server
// and by every session, so a session whose last handler dies after the server (with the
// io_context) still finds it. Everything in it is used on the io thread.
#pragma once

#include "base/asio.hpp"
#include "config/config.hpp"
#include "runtime/log.hpp"
#include "runtime/log_throttle.hpp"
#include "uplink/access.hpp"
#include "uplink/connection_limits.hpp"
#include "uplink/metrics.hpp"
#include "uplink/notify_hub.hpp"

#include <memory>
#include <unordered_map>

namespace roomd {

class Runtime;
class WsSession;

// Warnings any client can provoke at will, each written at most once per few seconds.
struct ApiWarnings {
  LogThrottle accept_failed;
  LogThrottle refused;       // 503: connection limits
  LogThrottle unauthorized;  // 401
  LogThrottle denied;        // code 2: scope, role, privileged method
  LogThrottle suspicious;    // code 4: unknown command
  LogThrottle malformed;     // 400 and frames over api.max_frame
  LogThrottle limits;        // bindings, debug streams, execs in flight
  LogThrottle slow;          // 1008
};

struct ApiContext {
  ApiContext(Runtime& runtime, const ApiConfig& config, StateStore& state, Logger log, Executor io)
      : runtime(runtime),
        config(config),
        keys(config.keys),
        limits(std::make_shared<ConnectionLimits>(config.max_connections,
                                                  config.max_connections_per_address)),
        hub(state),
        log(std::move(log)),
        io(std::move(io)) {}

  Runtime& runtime;
  const ApiConfig config;  // a copy: sessions may outlive the runtime at shutdown
  ApiKeys keys;
  std::shared_ptr<ConnectionLimits> limits;
  NotifyHub hub;
  Metrics metrics;
  ApiWarnings warnings;
  Logger log;
  Executor io;

  // Open WebSocket sessions (after their upgrade completed).
  std::unordered_map<WsSession*, std::weak_ptr<WsSession>> sessions;
  bool stopped = false;  // the server is gone or going: no new sessions

  void session_opened(const std::shared_ptr<WsSession>& session) {
    sessions.emplace(session.get(), session);
    ++metrics.connections_total;
    metrics.connections_open = sessions.size();
  }
  void session_closed(WsSession* session) {
    sessions.erase(session);
    metrics.connections_open = sessions.size();
  }
};

}  // namespace roomd
