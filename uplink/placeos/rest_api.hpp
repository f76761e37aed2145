// The PlaceOS REST routes (protocol.md §8): systems, module state and functions, exec by
// POST, per-module log levels and /auth/authority. Same keys and roles as the WebSocket;
// answers are JSON.
#pragma once

#include "base/asio.hpp"
#include "uplink/core/access.hpp"
#include "uplink/http/http_message.hpp"

#include <functional>
#include <string>

namespace roomd {

struct ApiContext;

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

}  // namespace roomd
