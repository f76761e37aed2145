// A connection that outlives its HTTP request: a WebSocket (or long-lived stream) of some
// dialect. The server keeps a weak reference to each, so it can sweep the slow ones, count
// what they queue, and close them all when it stops.
#pragma once

#include "base/asio.hpp"
#include "uplink/http/http_message.hpp"

#include <cstddef>
#include <string>

namespace roomd {

class LiveSession {
 public:
  virtual ~LiveSession() = default;
  // Completes the upgrade the HTTP session read, then serves the connection.
  virtual void run(HttpRequest upgrade) = 0;
  // Server shutdown: closes as going away (WebSocket 1001), cutting the line if the peer has
  // not answered within a second, while the event loop runs; a second call ends it at once.
  virtual void shutdown() = 0;
  // Called about once a second: closes the connection if its queue has been stuck too long.
  virtual void check_backlog(Clock::time_point now) = 0;
  virtual std::size_t queued_bytes() const = 0;
  // The id of the API key the session acts under: the one it was admitted with, or the one it
  // presented in-band; empty while it has none.
  virtual const std::string& key_id() const = 0;
  // A config reload removed or changed that key: closes with 1008 (policy), so the client
  // reconnects and its key is checked again.
  virtual void revoke() = 0;
};

}  // namespace roomd
