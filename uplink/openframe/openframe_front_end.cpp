#include "uplink/openframe/openframe_front_end.hpp"

#include "uplink/http/ws_session.hpp"
#include "uplink/openframe/openframe_session.hpp"

namespace roomd {

OpenFrameFrontEnd::OpenFrameFrontEnd(Duration status_every)
    : status_every_(status_every), shared_(std::make_shared<openframe::SharedState>()) {}

OpenFrameFrontEnd::~OpenFrameFrontEnd() = default;

// Never asked: serves() claims no plain HTTP path.
void OpenFrameFrontEnd::handle(ApiContext&, const HttpRequest& request, const Grant*, std::string,
                               Executor, std::function<void(HttpResponse)> done) {
  done(json_response(
      request, http::status::not_found,
      R"({"code":1,"error_code":1,"msg":"OpenFrame has no REST routes; connect a WebSocket to /v1/ws"})"));
}

std::shared_ptr<LiveSession> OpenFrameFrontEnd::upgrade(std::shared_ptr<ApiContext> api,
                                                        ApiStream stream, ConnectionSlot slot,
                                                        const Grant* grant, std::string peer) {
  return std::make_shared<WsSession>(
      std::move(api), std::move(stream), std::move(slot), grant, std::move(peer),
      [status_every = status_every_, shared = shared_](const WsOpening& opening) {
        return std::make_unique<openframe::OpenFrameSession>(opening, status_every, shared);
      });
}

}  // namespace roomd
