// A connection that outlives its HTTP request: a WebSocket (or long-lived stream) of some
// dialect. The server keeps a weak reference to each, so it can sweep the slow ones, count
// what they queue, and close them all when it stops.
#pragma once

#include "base/asio.hpp"
#include "uplink/http/http_message.hpp"

#include <cstddef>

namespace roomd {

class LiveSession {
 public:
  virtual ~LiveSession() = default;
  // Completes the upgrade the HTTP session read, then serves the connection.
  virtual void run(HttpRequest upgrade) = 0;
  // Closes now (server shutdown): going away.
  virtual void shutdown() = 0;
  // Called about once a second: closes the connection if its queue has been stuck too long.
  virtual void check_backlog(Clock::time_point now) = 0;
  virtual std::size_t queued_bytes() const = 0;
};

}  // namespace roomd
