// Whether a WebSocket upgrade may go ahead, before any socket is handed over: a control path,
// a well-formed handshake key (RFC 6455 §4.2.1, else 400), a known API key (else 401) and a
// server that is not shutting down (else 503). Refusals are logged, at most one line per
// few seconds.
#pragma once

#include "uplink/core/access.hpp"
#include "uplink/placeos/rest_api.hpp"

#include <string_view>
#include <variant>

namespace roomd {

struct ApiContext;

bool is_control_path(std::string_view path);

// Sec-WebSocket-Key: base64 of 16 bytes, which is 22 characters and "==".
bool valid_websocket_key(std::string_view key);

// The caller's grant, or the answer that refuses the upgrade. `peer` names the client in logs.
std::variant<const Grant*, HttpResponse> check_upgrade(ApiContext& api, const HttpRequest& request,
                                                       std::string_view peer);

}  // namespace roomd
