// Engine.IO v4 at one path: the handshake that opens a session (by long-polling, or straight
// on a WebSocket), the polling GETs and POSTs of open sessions by their sid, and the
// WebSocket that upgrades one. Sessions are counted against api.max_connections; what rides
// on each comes from the factory it is made with.
#pragma once

#include "uplink/http/ws_dialect.hpp"
#include "uplink/socketio/engineio_session.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace roomd {

class EngineIoServer {
 public:
  using HandlerFactory = std::function<std::unique_ptr<EngineIoHandler>(
      const std::shared_ptr<ApiContext>& api, EngineIoOutput& out)>;

  EngineIoServer(EngineIoOptions options, HandlerFactory make_handler);
  ~EngineIoServer();

  // A plain HTTP request at the path: a handshake, or a poll or post of an open session.
  void handle(ApiContext& api, const HttpRequest& request, std::string peer, Executor executor,
              std::function<void(HttpResponse)> done);
  // The protocol's answer to a WebSocket handshake it cannot take (wrong version or
  // transport, unknown sid), before the connection is upgraded.
  std::optional<HttpResponse> refuse_upgrade(const HttpRequest& request) const;
  // The transport for an upgraded connection: a new session, or the one its sid names.
  std::unique_ptr<WsDialect> open_websocket(const WsOpening& opening);

  std::size_t sessions() const { return sessions_.size(); }
  const EngineIoOptions& options() const { return options_; }

 private:
  std::shared_ptr<EngineIoSession> open_session(const std::shared_ptr<ApiContext>& api,
                                                std::string peer, Executor executor);
  void ended(ApiContext& api, const std::string& sid);

  EngineIoOptions options_;
  HandlerFactory make_handler_;
  std::unordered_map<std::string, std::shared_ptr<EngineIoSession>> sessions_;
  // Cleared when the server goes: a session that ends later has no one to tell.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace roomd
