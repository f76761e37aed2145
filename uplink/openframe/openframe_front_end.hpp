// The OpenFrame dialect as mounted on the HTTP server: one WebSocket endpoint, /v1/ws, that
// checks its key itself so a bad one is answered in the dialect's own words (AUTH_ERROR,
// then close 1008) rather than with HTTP 401. No REST routes.
#pragma once

#include "uplink/http/front_end.hpp"

#include <memory>

namespace roomd::openframe {
struct SharedState;
}

namespace roomd {

class OpenFrameFrontEnd final : public FrontEnd {
 public:
  // `status_every`: dialects.openframe.status_every, the period of system_status.
  explicit OpenFrameFrontEnd(Duration status_every = Duration(10000));
  ~OpenFrameFrontEnd() override;

  bool serves(std::string_view) const override { return false; }
  void handle(ApiContext& api, const HttpRequest& request, const Grant* grant, std::string peer,
              Executor executor, std::function<void(HttpResponse)> done) override;
  std::vector<std::string> websocket_paths() const override { return {"/v1/ws"}; }
  bool authenticates_itself(std::string_view) const override { return true; }
  std::shared_ptr<LiveSession> upgrade(std::shared_ptr<ApiContext> api, ApiStream stream,
                                       ConnectionSlot slot, const Grant* grant,
                                       std::string peer) override;

 private:
  Duration status_every_;
  std::shared_ptr<openframe::SharedState> shared_;
};

}  // namespace roomd
