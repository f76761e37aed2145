#include "uplink/placeos/placeos_ws_dialect.hpp"

#include "uplink/http/api_context.hpp"

namespace roomd::placeos {

// The server checked the key before the upgrade: a PlaceOS endpoint always has a grant.
PlaceosWsDialect::PlaceosWsDialect(const WsOpening& opening)
    : out_(opening.out),
      control_(opening.api, Caller{*opening.grant, opening.peer, "WebSocket", opening.executor},
               opening.out) {}

void PlaceosWsDialect::on_text(std::string_view text) {
  if (text == "ping") return out_.send("pong");
  control_.handle(text);
}

void PlaceosWsDialect::on_binary() {
  out_.send(ControlSession::error_message("null", ErrorCode::parse_error,
                                          "binary frames are not supported; send JSON text"));
}

}  // namespace roomd::placeos
