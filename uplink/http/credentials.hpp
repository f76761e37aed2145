// Where a client's API key may come from (protocol.md §1): the X-API-Key header, an
// Authorization bearer token, the api-key or bearer_token query parameter, or a cookie of
// either name (browsers cannot set headers on a WebSocket).
#pragma once

#include "uplink/http/beast.hpp"

#include <optional>
#include <string>

namespace roomd {

std::optional<std::string> find_api_key(const http::request_header<>& request);

}  // namespace roomd
