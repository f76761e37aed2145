// What the API accepts as an HTTP request: the parser's limits, and the answer to a request
// that is malformed or too large, so a clumsy client learns what was wrong instead of seeing
// the line go dead.
#pragma once

#include "uplink/http/http_message.hpp"

#include <optional>

namespace roomd {

constexpr std::size_t kMaxRequestBody = 1 << 20;  // REST arguments; nothing legitimate comes close
constexpr std::size_t kMaxRequestHead = 16 * 1024;

using RequestParser = http::request_parser<http::string_body>;

// A fresh parser with the API's limits.
void start_request(std::optional<RequestParser>& parser);

// The answer to a read that failed while parsing (400, 413 or 431, each closing the
// connection); nullopt when there is nobody to answer (the client left or timed out).
std::optional<HttpResponse> answer_read_error(const beast::error_code& ec);

}  // namespace roomd
