// What a dialect mounts on the HTTP server: its REST routes and its WebSocket endpoints. The
// server owns the connections, their limits and the key check of an upgrade (unless the
// endpoint authenticates in-band); a front-end sees a parsed request with the caller's grant
// and speaks to the request core.
#pragma once

#include "base/asio.hpp"
#include "uplink/core/access.hpp"
#include "uplink/http/api_stream.hpp"
#include "uplink/http/connection_limits.hpp"
#include "uplink/http/http_message.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd {

struct ApiContext;
class LiveSession;

class FrontEnd {
 public:
  virtual ~FrontEnd() = default;

  // True when a plain HTTP request on `path` is this dialect's to answer.
  virtual bool serves(std::string_view path) const = 0;
  // Answers through `done`, now or later (an exec) on `executor`. `grant` is null when the
  // request carried no valid key; `peer` names the client in logs and the audit.
  virtual void handle(ApiContext& api, const HttpRequest& request, const Grant* grant,
                      std::string peer, Executor executor,
                      std::function<void(HttpResponse)> done) = 0;

  // The paths of its WebSocket endpoints.
  virtual std::vector<std::string> websocket_paths() const = 0;
  // True when the endpoint at `path` checks the client's key itself (in its first message, or
  // to answer a bad key in its own format): the server then admits an upgrade without a valid
  // key, still under the connection limits.
  virtual bool authenticates_itself(std::string_view /*path*/) const { return false; }
  // The endpoint's own refusal of a handshake it cannot take (a query it needs, a session it
  // does not know), answered before the connection is upgraded.
  virtual std::optional<HttpResponse> refuse_upgrade(const HttpRequest& /*request*/) const {
    return std::nullopt;
  }
  // The session that takes the connection over once the server admitted the upgrade (the
  // handshake well formed, the key valid or the endpoint authenticating itself); the server
  // tracks it, then runs it. `grant` is null when no valid key came with the upgrade.
  virtual std::shared_ptr<LiveSession> upgrade(std::shared_ptr<ApiContext> api, ApiStream stream,
                                               ConnectionSlot slot, const Grant* grant,
                                               std::string peer) = 0;
};

}  // namespace roomd
