#include "uplink/http/http_request.hpp"

#include "base/json.hpp"

namespace roomd {

namespace {

// A short reason for each way a request can be malformed; never any of the client's bytes.
const char* malformed_reason(http::error error) {
  switch (error) {
    case http::error::bad_line_ending:
      return "bad line ending (lines end in CR LF)";
    case http::error::bad_method:
      return "bad request line: invalid method";
    case http::error::bad_target:
      return "bad request line: invalid target";
    case http::error::bad_version:
      return "bad request line: invalid HTTP version";
    case http::error::bad_field:
      return "bad header line: expected a name, a colon and a value";
    case http::error::bad_value:
      return "bad header value";
    case http::error::bad_content_length:
      return "bad Content-Length";
    case http::error::multiple_content_length:
      return "conflicting Content-Length headers";
    case http::error::bad_transfer_encoding:
      // Beast also refuses it next to Content-Length (RFC 9112 §6.1: a smuggling attempt).
      return "bad or repeated Transfer-Encoding, or Transfer-Encoding with Content-Length";
    case http::error::bad_chunk:
      return "bad chunk size or chunk framing";
    case http::error::bad_chunk_extension:
      return "bad chunk extension";
    case http::error::bad_obs_fold:
      return "folded header lines are not accepted";
    default:
      return nullptr;
  }
}

HttpResponse closing_error(http::status status, int code, const std::string& message) {
  HttpRequest request;  // the failed request may not even have a version
  request.version(11);
  request.keep_alive(false);
  return json_response(request, status,
                       to_text(Json{{"code", code}, {"error_code", code}, {"msg", message}}));
}

}  // namespace

void start_request(std::optional<RequestParser>& parser) {
  parser.emplace();
  parser->body_limit(kMaxRequestBody);
  parser->header_limit(kMaxRequestHead);
}

std::optional<HttpResponse> answer_read_error(const beast::error_code& ec) {
  if (ec == http::error::body_limit)
    return closing_error(http::status::payload_too_large, 1, "request body over the 1 MiB limit");
  if (ec == http::error::header_limit)
    return closing_error(http::status::request_header_fields_too_large, 1,
                         "request head over the 16 KiB limit");
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return {};
  const char* reason = malformed_reason(static_cast<http::error>(ec.value()));
  if (!reason) return {};
  return closing_error(http::status::bad_request, 1,
                       std::string("malformed HTTP request: ") + reason);
}

}  // namespace roomd
