// The HTTP messages every front-end answers with: JSON bodies with the request's version and
// keep-alive, and the error body {"code", "error_code", "msg"} under the HTTP status that fits
// the protocol's 0-7 code.
#pragma once

#include "uplink/http/beast.hpp"

#include <string>
#include <string_view>

namespace roomd {

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// A JSON answer with the request's HTTP version and keep-alive (HEAD: the length, no body).
HttpResponse json_response(const HttpRequest& request, http::status status,
                           const std::string& body);
// {"code": n, "error_code": n, "msg": "..."} with the HTTP status that fits the 0-7 code.
HttpResponse error_response(const HttpRequest& request, int code, const std::string& message);

// 404 {"code": 1, …, "msg": "no such endpoint: <path>"}.
HttpResponse no_such_endpoint(const HttpRequest& request, std::string_view path);

}  // namespace roomd
