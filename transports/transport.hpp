// The byte transport a driver's module talks through (TCP, UDP, later serial). It connects,
// reconnects with backoff on its own, and reports bytes and link changes on the module's
// executor, so a driver never blocks the event loop and never touches a socket.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/system/error_code.hpp>

namespace roomd {

class Transport {
 public:
  struct Handlers {
    std::function<void()> on_connect;
    // Why the link went down; also called when a connect attempt fails, so the module can log.
    std::function<void(const boost::system::error_code&)> on_disconnect;
    std::function<void(std::string_view)> on_bytes;
  };

  virtual ~Transport() = default;

  // Begins connecting; handlers run on the executor the transport was built with.
  virtual void start(Handlers handlers) = 0;
  // Closes the link and stops reconnecting; no handler runs after stop() returns.
  virtual void stop() = 0;
  // Queues bytes; one write is in flight at a time. Dropped (with false) while disconnected.
  virtual bool write(std::string bytes) = 0;
  // Drops the link now and reconnects after the backoff (a driver that saw a protocol error).
  virtual void reconnect() = 0;
  virtual bool is_connected() const = 0;
  // For logs and errors: "tcp 10.0.0.5:4352".
  virtual std::string describe() const = 0;
  // The last failure in full, when the error code alone says too little (which USB adapters
  // were found instead of the configured one); empty when there is nothing to add.
  virtual std::string last_error() const { return {}; }
};

}  // namespace roomd
