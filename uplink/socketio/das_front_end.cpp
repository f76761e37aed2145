#include "uplink/socketio/das_front_end.hpp"

#include "uplink/http/api_context.hpp"
#include "uplink/http/ws_session.hpp"
#include "uplink/socketio/das_session.hpp"
#include "uplink/socketio/socketio_session.hpp"

namespace roomd {

namespace {

// Where socket.io-client looks by default (it adds the trailing slash itself).
constexpr std::string_view kPath = "/socket.io/";
constexpr std::string_view kBarePath = "/socket.io";

}  // namespace

DasFrontEnd::DasFrontEnd(const DasConfig& config)
    : max_payload_(config.max_payload),
      server_({config.ping_interval, config.ping_timeout, config.max_payload},
              [feed = feed_, auth_window = config.auth_window](
                  const std::shared_ptr<ApiContext>& api, EngineIoOutput& out) {
                return std::make_unique<SocketIoSession>(out, [&](SocketIoOutput& socket) {
                  return std::make_unique<DasSession>(api, feed, socket, api->strand, auth_window);
                });
              }) {}

bool DasFrontEnd::serves(std::string_view path) const {
  return path == kPath || path == kBarePath;
}

void DasFrontEnd::handle(ApiContext& api, const HttpRequest& request, const Grant*,
                         std::string peer, Executor executor,
                         std::function<void(HttpResponse)> done) {
  server_.handle(api, request, std::move(peer), std::move(executor), std::move(done));
}

std::vector<std::string> DasFrontEnd::websocket_paths() const {
  return {std::string(kPath), std::string(kBarePath)};
}

bool DasFrontEnd::authenticates_itself(std::string_view path) const {
  return serves(path);
}

std::optional<HttpResponse> DasFrontEnd::refuse_upgrade(const HttpRequest& request) const {
  return server_.refuse_upgrade(request);
}

std::shared_ptr<LiveSession> DasFrontEnd::upgrade(std::shared_ptr<ApiContext> api, ApiStream stream,
                                                  ConnectionSlot slot, const Grant* grant,
                                                  std::string peer) {
  auto session = std::make_shared<WsSession>(
      std::move(api), std::move(stream), std::move(slot), grant, std::move(peer),
      [this](const WsOpening& opening) { return server_.open_websocket(opening); });
  session->limit_messages(max_payload_, "dialects.das.max_payload");
  return session;
}

}  // namespace roomd
