#include "uplink/exosite/exosite_front_end.hpp"

#include "uplink/exosite/exosite_session.hpp"
#include "uplink/http/ws_session.hpp"

namespace roomd {

namespace {

constexpr std::string_view kPath = "/ws";

}  // namespace

bool ExositeFrontEnd::serves(std::string_view) const {
  return false;  // a WebSocket endpoint only
}

void ExositeFrontEnd::handle(ApiContext&, const HttpRequest& request, const Grant*, std::string,
                             Executor, std::function<void(HttpResponse)> done) {
  done(no_such_endpoint(request, kPath));
}

std::vector<std::string> ExositeFrontEnd::websocket_paths() const {
  return {std::string(kPath)};
}

bool ExositeFrontEnd::authenticates_itself(std::string_view path) const {
  return path == kPath;
}

std::shared_ptr<LiveSession> ExositeFrontEnd::upgrade(std::shared_ptr<ApiContext> api,
                                                      ApiStream stream, ConnectionSlot slot,
                                                      const Grant* grant, std::string peer) {
  return std::make_shared<WsSession>(
      std::move(api), std::move(stream), std::move(slot), grant, std::move(peer),
      [](const WsOpening& opening) { return std::make_unique<ExositeSession>(opening); });
}

}  // namespace roomd
