#include "uplink/socketio/engineio_http.hpp"

#include "base/json.hpp"

namespace roomd::engineio {

namespace {

const char* message_of(Error error) {
  switch (error) {
    case Error::transport_unknown:
      return "Transport unknown";
    case Error::session_unknown:
      return "Session ID unknown";
    case Error::bad_handshake_method:
      return "Bad handshake method";
    case Error::bad_request:
      return "Bad request";
    case Error::forbidden:
      return "Forbidden";
    case Error::unsupported_protocol_version:
      return "Unsupported protocol version";
  }
  return "Bad request";
}

HttpResponse text_answer(const HttpRequest& request, const char* type, std::string body) {
  HttpResponse response(http::status::ok, request.version());
  response.set(http::field::content_type, type);
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace

HttpResponse error_answer(const HttpRequest& request, Error error, http::status status) {
  return json_response(
      request, status,
      to_text(Json{{"code", static_cast<int>(error)}, {"message", message_of(error)}}));
}

HttpResponse payload_answer(const HttpRequest& request, std::string body) {
  return text_answer(request, "text/plain; charset=UTF-8", std::move(body));
}

HttpResponse ok_answer(const HttpRequest& request) {
  return text_answer(request, "text/html", "ok");
}

}  // namespace roomd::engineio
