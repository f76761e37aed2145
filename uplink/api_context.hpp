// What every API component shares: the runtime it serves, the keys, the notify fan-out, the
// metrics, the API's logger and the open WebSocket sessions. Held by shared_ptr by the server
// and by every session, so a session whose last handler dies after the server (with the
// io_context) still finds it. Everything in it is used on the io thread.
#pragma once

#include "config/config.hpp"
#include "runtime/asio.hpp"
#include "runtime/log.hpp"
#include "uplink/access.hpp"
#include "uplink/metrics.hpp"
#include "uplink/notify_hub.hpp"

#include <memory>
#include <unordered_map>

namespace roomd {

class Runtime;
class WsSession;

struct ApiContext {
  ApiContext(Runtime& runtime, const ApiConfig& config, StateStore& state, Logger log, Executor io)
      : runtime(runtime),
        config(config),
        keys(config.keys),
        hub(state),
        log(std::move(log)),
        io(std::move(io)) {}

  Runtime& runtime;
  const ApiConfig config;  // a copy: sessions may outlive the runtime at shutdown
  ApiKeys keys;
  NotifyHub hub;
  Metrics metrics;
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
