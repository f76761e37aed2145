// The PlaceOS dialect as mounted on the HTTP server: its REST routes (/auth/authority and
// /api/engine/v2/…) and its two WebSocket endpoints, /api/engine/v2/systems/control and
// /control/websocket (protocol.md).
#pragma once

#include "uplink/http/front_end.hpp"

namespace roomd {

class PlaceosFrontEnd final : public FrontEnd {
 public:
  bool serves(std::string_view path) const override;
  void handle(ApiContext& api, const HttpRequest& request, const Grant* grant, std::string peer,
              Executor executor, std::function<void(HttpResponse)> done) override;
  std::vector<std::string> websocket_paths() const override;
  std::shared_ptr<LiveSession> upgrade(std::shared_ptr<ApiContext> api, ApiStream stream,
                                       ConnectionSlot slot, const Grant* grant,
                                       std::string peer) override;
};

}  // namespace roomd
