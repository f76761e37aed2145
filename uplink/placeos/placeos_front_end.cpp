#include "uplink/placeos/placeos_front_end.hpp"

#include "uplink/http/ws_session.hpp"
#include "uplink/placeos/placeos_ws_dialect.hpp"
#include "uplink/placeos/rest_api.hpp"

namespace roomd {

bool PlaceosFrontEnd::serves(std::string_view path) const {
  return path == "/auth/authority" || path == "/api/engine/v2" ||
         path.substr(0, 15) == "/api/engine/v2/";
}

void PlaceosFrontEnd::handle(ApiContext& api, const HttpRequest& request, const Grant* grant,
                             std::string peer, Executor executor,
                             std::function<void(HttpResponse)> done) {
  RestApi(api).handle(request, grant, std::move(peer), std::move(executor), std::move(done));
}

std::vector<std::string> PlaceosFrontEnd::websocket_paths() const {
  return {"/api/engine/v2/systems/control", "/control/websocket"};
}

std::shared_ptr<LiveSession> PlaceosFrontEnd::upgrade(std::shared_ptr<ApiContext> api,
                                                      ApiStream stream, ConnectionSlot slot,
                                                      const Grant* grant, std::string peer) {
  return std::make_shared<WsSession>(std::move(api), std::move(stream), std::move(slot), grant,
                                     std::move(peer), [](const WsOpening& opening) {
                                       return std::make_unique<placeos::PlaceosWsDialect>(opening);
                                     });
}

}  // namespace roomd
