// Where a plain HTTP request goes: the server's own routes first, whatever dialects are
// mounted (/healthz for the service manager, 503 while a module has failed; /metrics for
// Prometheus, with a key), then the front-end that serves the path, else 404.
#pragma once

#include "base/asio.hpp"
#include "uplink/http/http_message.hpp"

#include <functional>
#include <string>

namespace roomd {

struct ApiContext;

// Answers `request` through `done`, now or later (an exec) on `executor`; `peer` names the
// client in logs and the audit.
void route_request(ApiContext& api, const HttpRequest& request, std::string peer, Executor executor,
                   std::function<void(HttpResponse)> done);

// 401 for a request that needs a key and carried none that is valid.
HttpResponse missing_key(const HttpRequest& request);

}  // namespace roomd
