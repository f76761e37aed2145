// The REST side of the API (protocol.md §8): systems, module state and functions, exec by
// POST, per-module log levels, /auth/authority, /healthz and /metrics. Same keys and roles as
// the WebSocket; answers are JSON except /metrics (Prometheus text).
#pragma once

#include "base/asio.hpp"
#include "uplink/core/access.hpp"
#include "uplink/http/beast.hpp"

#include <functional>
#include <string>

namespace roomd {

struct ApiContext;

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

class RestApi {
 public:
  explicit RestApi(ApiContext& api) : api_(api) {}

  // `grant` is null when the request carried no valid key; `peer` and `executor` are the
  // connection's. `done` may run later (exec), on `executor`.
  void handle(const HttpRequest& request, const Grant* grant, std::string peer, Executor executor,
              std::function<void(HttpResponse)> done);

 private:
  ApiContext& api_;
};

// A JSON answer with the request's HTTP version and keep-alive.
HttpResponse json_response(const HttpRequest& request, http::status status,
                           const std::string& body);
// {"code": n, "error_code": n, "msg": "..."} with the HTTP status that fits the 0-7 code.
HttpResponse error_response(const HttpRequest& request, int code, const std::string& message);

}  // namespace roomd
