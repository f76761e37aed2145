#include "uplink/http/http_message.hpp"

#include "base/json.hpp"
#include "base/text.hpp"
#include "uplink/core/failure.hpp"

namespace roomd {

namespace {

http::status status_for(int code) {
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::parse_error:
    case ErrorCode::bad_request:
    case ErrorCode::unknown_command:
      return http::status::bad_request;
    case ErrorCode::access_denied:
      return http::status::forbidden;
    case ErrorCode::system_not_found:
    case ErrorCode::module_not_found:
      return http::status::not_found;
    case ErrorCode::request_failed:
      return http::status::bad_gateway;  // the device (behind us) failed
    case ErrorCode::unexpected:
      break;
  }
  return http::status::internal_server_error;
}

}  // namespace

HttpResponse json_response(const HttpRequest& request, http::status status,
                           const std::string& body) {
  HttpResponse response(status, request.version());
  response.set(http::field::server, "roomd");
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = body;
  response.prepare_payload();
  if (request.method() == http::verb::head) response.body().clear();  // the length stays
  return response;
}

HttpResponse error_response(const HttpRequest& request, int code, const std::string& message) {
  Json body = {{"code", code}, {"error_code", code}, {"msg", message}};
  return json_response(request, status_for(code), to_text(body));
}

HttpResponse no_such_endpoint(const HttpRequest& request, std::string_view path) {
  return json_response(
      request, http::status::not_found,
      to_text(Json{{"code", 1}, {"error_code", 1}, {"msg", "no such endpoint: " + excerpt(path)}}));
}

}  // namespace roomd
