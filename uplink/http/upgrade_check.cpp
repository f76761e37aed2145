#include "uplink/http/upgrade_check.hpp"

#include "base/text.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/credentials.hpp"
#include "uplink/http/url.hpp"

#include <algorithm>

namespace roomd {

namespace {

bool is_base64_digit(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

HttpResponse refuse(const HttpRequest& request, http::status status, const char* body) {
  auto response = json_response(request, status, body);
  response.keep_alive(false);
  return response;
}

}  // namespace

bool valid_websocket_key(std::string_view key) {
  return key.size() == 24 && key.substr(22) == "==" &&
         std::all_of(key.begin(), key.begin() + 22, is_base64_digit);
}

std::variant<AdmittedUpgrade, HttpResponse> check_upgrade(ApiContext& api,
                                                          const HttpRequest& request,
                                                          std::string_view peer) {
  const auto path = url::split_target(request.target()).path;
  FrontEnd* front_end = api.upgrading(path);
  if (!front_end) {
    std::string paths;
    for (const auto& mounted : api.front_ends)
      for (const auto& p : mounted->websocket_paths()) paths += (paths.empty() ? "" : ", ") + p;
    return json_response(request, http::status::not_found,
                         to_text(Json{{"code", 1},
                                      {"error_code", 1},
                                      {"msg", "no WebSocket endpoint at " + excerpt(path) +
                                                  "; the endpoints are " + paths}}));
  }
  if (request.count(http::field::sec_websocket_key) != 1 ||
      !valid_websocket_key(request[http::field::sec_websocket_key])) {
    ++api.metrics.http_bad_requests;
    return refuse(
        request, http::status::bad_request,
        R"json({"code":1,"error_code":1,"msg":"malformed WebSocket handshake: Sec-WebSocket-Key must be one base64 value of 16 bytes (RFC 6455)"})json");
  }
  if (auto refusal = front_end->refuse_upgrade(request)) {
    ++api.metrics.http_bad_requests;
    return std::move(*refusal);
  }
  const Grant* grant = nullptr;
  auto key = find_api_key(request);
  if (key) grant = api.keys.authenticate(*key);
  if (!grant && !front_end->authenticates_itself(path)) {
    ++api.metrics.connections_rejected;
    if (auto more = api.warnings.unauthorized.pass())
      api.log.warn("WebSocket from ", peer, " refused: ",
                   key ? "unknown API key (fingerprint " + key_fingerprint(*key) + ")"
                       : std::string("no API key"),
                   *more);
    return refuse(
        request, http::status::unauthorized,
        R"({"code":2,"error_code":2,"msg":"missing or unknown API key; pass it as X-API-Key, Authorization: Bearer, ?api-key=, ?bearer_token= or an api-key cookie"})");
  }
  if (api.stopped) {
    ++api.metrics.connections_rejected;
    return refuse(request, http::status::service_unavailable,
                  R"({"code":7,"error_code":7,"msg":"roomd is shutting down"})");
  }
  return AdmittedUpgrade{front_end, grant};
}

}  // namespace roomd
