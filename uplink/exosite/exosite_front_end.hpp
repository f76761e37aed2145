// The Exosite One Platform dialect as mounted on the HTTP server: one WebSocket endpoint,
// /ws, whose clients authenticate in their first message (`{"auth": {"cik": …}}`).
#pragma once

#include "uplink/http/front_end.hpp"

namespace roomd {

class ExositeFrontEnd final : public FrontEnd {
 public:
  bool serves(std::string_view path) const override;
  void handle(ApiContext& api, const HttpRequest& request, const Grant* grant, std::string peer,
              Executor executor, std::function<void(HttpResponse)> done) override;
  std::vector<std::string> websocket_paths() const override;
  bool authenticates_itself(std::string_view path) const override;
  std::shared_ptr<LiveSession> upgrade(std::shared_ptr<ApiContext> api, ApiStream stream,
                                       ConnectionSlot slot, const Grant* grant,
                                       std::string peer) override;
};

}  // namespace roomd
