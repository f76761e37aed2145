// Engine.IO's HTTP answers: a polling payload, the "ok" of a POST, and the protocol's error
// bodies {"code": n, "message": …} that stock clients read (an unknown sid makes them
// reconnect), each with the request's version and keep-alive.
#pragma once

#include "uplink/http/http_message.hpp"

#include <string>

namespace roomd::engineio {

enum class Error {
  transport_unknown = 0,
  session_unknown = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

// 400 (or `status`) with {"code": error, "message": the protocol's words}.
HttpResponse error_answer(const HttpRequest& request, Error error,
                          http::status status = http::status::bad_request);
HttpResponse payload_answer(const HttpRequest& request, std::string body);
HttpResponse ok_answer(const HttpRequest& request);

}  // namespace roomd::engineio
