// What the HTTP/WebSocket server shares with every connection: the request core, the keys,
// the connection limits and the open WebSocket sessions. Held by shared_ptr by the server
// and by every session, so a session whose last handler dies after the server (with the
// io_context) still finds it. Everything in it is used on the API strand.
#pragma once

#include "base/asio.hpp"
#include "config/config.hpp"
#include "uplink/core/access.hpp"
#include "uplink/core/request_core.hpp"
#include "uplink/http/connection_limits.hpp"

#include <memory>
#include <unordered_map>

namespace roomd {

class WsSession;

struct ApiContext : RequestCore {
  ApiContext(Runtime& runtime, const ApiConfig& config, Logger log, Executor strand)
      : RequestCore(runtime, config, std::move(log), std::move(strand)),
        keys(config.keys),
        limits(std::make_shared<ConnectionLimits>(config.max_connections,
                                                  config.max_connections_per_address)) {}

  std::shared_ptr<ApiContext> shared() {
    return std::static_pointer_cast<ApiContext>(shared_from_this());
  }

  ApiKeys keys;
  std::shared_ptr<ConnectionLimits> limits;

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
