// An in-memory byte transport for driver tests, transcripts and fuzzers: the test plays the
// device (brings the link up or down, sends bytes) and reads back every write, with no socket,
// no backoff and no timing, so a run is deterministic and needs no simulator.
#pragma once

#include "base/asio.hpp"
#include "transports/transport.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace roomd::test {

namespace detail {
struct FakeLineState;
}

// The transport a module holds. It keeps the Transport contract: handlers run posted to its
// executor, never from inside a call, and none runs once stop() has returned.
class FakeTransport final : public Transport {
 public:
  FakeTransport(Executor executor, std::shared_ptr<detail::FakeLineState> line);
  ~FakeTransport() override;
  FakeTransport(const FakeTransport&) = delete;
  FakeTransport& operator=(const FakeTransport&) = delete;

  void start(Handlers handlers) override;
  void stop() override;
  bool write(std::string bytes) override;
  void reconnect() override;
  bool is_connected() const override;
  std::string describe() const override;

 private:
  Executor executor_;
  std::shared_ptr<detail::FakeLineState> line_;
};

// The device's end: the test holds it, the module gets transports from factory(). A module
// that restarts builds a new transport, which takes the line over; one transport is started at
// a time. Everything runs on the thread that runs the transports' executor.
class FakeLine {
 public:
  explicit FakeLine(std::string description = "fake line");

  // A TransportFactory (runtime/module.hpp) whose transports talk through this line.
  std::function<std::unique_ptr<Transport>(Executor)> factory();

  // The device accepts the connection: the link comes up now if a transport is started, or as
  // soon as one starts. A reconnect() the module asks for comes back up at once while the
  // device accepts, as a real transport would after its backoff.
  void connect();
  // The device drops the link (or, before it came up, refuses it) and refuses until connect().
  void disconnect(boost::system::error_code why = {});
  // Bytes from the device, delivered as one read; dropped when the link is down by then.
  void send(std::string bytes);

  bool started() const;
  bool connected() const;
  // Every accepted write, in order, and all of them joined.
  const std::vector<std::string>& writes() const;
  std::string written() const;
  void clear_writes();
  // How often the module asked to reconnect.
  int reconnects() const;
  // Runs for each accepted write once it is recorded, inside the module's write(): a scripted
  // device answers from here with send(), which is posted like any read.
  void on_write(std::function<void(std::string_view)> hook);

 private:
  std::shared_ptr<detail::FakeLineState> state_;
};

}  // namespace roomd::test
