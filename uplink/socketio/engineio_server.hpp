// Engine.IO v4 at one path: the handshake that opens a session (polling, or straight on a
// WebSocket), bounded like connections; the polling requests of open sessions by sid; and the
// WebSocket that upgrades one. What rides on each session comes from the factory.
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
  // Null (logged) when no session id could be made.
  std::shared_ptr<EngineIoSession> open_session(const std::shared_ptr<ApiContext>& api,
                                                std::string peer, Executor executor);
  void ended(ApiContext& api, const std::string& sid);
  // False (logged, counted) past api.max_connections sessions, or past
  // api.max_connections_per_address from the peer's address, or when roomd is stopping.
  bool admits(ApiContext& api, const std::string& peer);

  EngineIoOptions options_;
  HandlerFactory make_handler_;
  std::unordered_map<std::string, std::shared_ptr<EngineIoSession>> sessions_;
  std::unordered_map<std::string, std::size_t> per_address_;  // open sessions by client address
  // Cleared when the server goes: a session that ends later has no one to tell.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace roomd
