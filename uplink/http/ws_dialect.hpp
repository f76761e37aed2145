// What a WebSocket endpoint's dialect plugs into the shared session (WsSession): a handler per
// connection that reads the client's messages and answers through a WsOutput. The session
// owns the socket, the write queue with its coalescing and bounds, keep-alive and closing;
// the handler owns only the dialect's wire format and its business with the request core.
#pragma once

#include "base/asio.hpp"
#include "uplink/core/access.hpp"
#include "uplink/core/control_output.hpp"
#include "uplink/http/http_message.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace roomd {

struct ApiContext;

// WebSocket close codes a dialect closes with (RFC 6455 §7.4.1).
constexpr std::uint16_t kWsCloseNormal = 1000;
constexpr std::uint16_t kWsClosePolicy = 1008;  // the client broke the dialect's rules
constexpr std::uint16_t kWsCloseTryAgainLater = 1013;

class WsOutput : public ControlOutput {
 public:
  // Closes the connection with WebSocket close `code` (1008 policy, 1011 internal…) once every
  // message sent before went out; whatever is sent afterwards is dropped. The handler's
  // close() is called first, from a fresh handler.
  virtual void close_after(std::uint16_t code) = 0;
  // The connection now acts under API key `key_id` (a dialect that authenticates in-band): a
  // config reload that removes or changes that key closes it, as for a key checked at the
  // upgrade.
  virtual void set_key_id(std::string key_id) = 0;
};

class WsDialect {
 public:
  virtual ~WsDialect() = default;
  // One text message, whole. Runs on the API strand.
  virtual void on_text(std::string_view text) = 0;
  // A binary frame came in: the handler answers with its dialect's error, or ignores it.
  virtual void on_binary() = 0;
  // Lets go of everything (bindings, subscriptions, execs in flight); no output afterwards.
  // Called once the connection is closing, from outside any of the handler's own calls.
  virtual void close() = 0;
};

// What a handler is made with, once the handshake completed.
struct WsOpening {
  std::shared_ptr<ApiContext> api;
  // The key checked at the upgrade; null when the endpoint authenticates itself
  // (FrontEnd::authenticates_itself) and the upgrade carried no valid key.
  const Grant* grant;
  const std::string& peer;     // "127.0.0.1:51234 key panel", for logs and the audit
  Executor executor;           // the session's: where exec results and events must arrive
  const HttpRequest& request;  // the upgrade request (its URL, its headers)
  WsOutput& out;               // valid until the handler is destroyed
};

using WsDialectFactory = std::function<std::unique_ptr<WsDialect>(const WsOpening& opening)>;

}  // namespace roomd
