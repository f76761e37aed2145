// Whether a WebSocket upgrade may go ahead, before any socket is handed over: a path some
// mounted front-end upgrades, a well-formed handshake key (RFC 6455 §4.2.1, else 400), what
// the front-end itself asks of the handshake (its answer otherwise), a known API
// key (else 401, unless the endpoint authenticates in-band) and a server that is not shutting
// down (else 503). Refusals are logged, at most one line per few seconds.
#pragma once

#include "uplink/core/access.hpp"
#include "uplink/http/http_message.hpp"

#include <string_view>
#include <variant>

namespace roomd {

struct ApiContext;
class FrontEnd;

struct AdmittedUpgrade {
  FrontEnd* front_end;
  const Grant* grant;  // null only for an endpoint that authenticates itself
};

// Sec-WebSocket-Key: base64 of 16 bytes, which is 22 characters and "==".
bool valid_websocket_key(std::string_view key);

// The front-end to hand the connection to with the caller's grant, or the answer that refuses
// the upgrade. `peer` names the client in logs.
std::variant<AdmittedUpgrade, HttpResponse> check_upgrade(ApiContext& api,
                                                          const HttpRequest& request,
                                                          std::string_view peer);

}  // namespace roomd
