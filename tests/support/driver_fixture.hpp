// A runtime with one driver module wired to a device simulator, for the driver tests: builds
// and checks the config, records the module's logs and counts `connected` turning true, so a
// driver's fixture only says how its simulator is reached.
#pragma once

#include "runtime/runtime.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace roomd::test {

struct LoggedRecord {
  LogLevel level;
  std::string message;
};

// Messages of `records` at `level` or above that contain `text`.
std::vector<std::string> matching(const std::vector<LoggedRecord>& records, LogLevel level,
                                  const std::string& text);

// The one module under test; it is the only module of system "sys-1".
struct DriverSpec {
  std::string driver;     // built-in driver name: "samsung_mdc"
  std::string module_id;  // "mod-display"
  std::string name;       // generic name in the system: "Display"
  Json settings = Json::object();
  TransportConfig transport;
};

// The simulator's TCP port on loopback, with short backoffs so reconnect tests stay quick.
TcpTransportConfig loopback_tcp(std::uint16_t port);
// The simulator's pty as the serial port, with the same short backoffs.
SerialTransportConfig pty_serial(const std::string& path);

// Either line to a simulator with the usual listen_tcp() and open_pty(), as the test asks.
template <class Simulator>
TransportConfig simulator_line(Simulator& simulator, bool serial) {
  if (serial) return pty_serial(simulator.open_pty());
  return loopback_tcp(simulator.listen_tcp());
}

// The io_context, state directory and simulator of a driver fixture. Listed as a base before
// DriverUnderTest, so they are built before the runtime and outlive it.
template <class Simulator>
struct SimulatedDevice {
  template <class... SimulatorArgs>
  explicit SimulatedDevice(SimulatorArgs&&... args)
      : simulator(io.get_executor(), std::forward<SimulatorArgs>(args)...) {}

  asio::io_context io;
  TempDir dir;
  Simulator simulator;
};

// A fixture derives from SimulatedDevice<...> and then this. Fields are public: tests read
// the records and the counter.
struct DriverUnderTest {
  DriverUnderTest(asio::io_context& io, const std::string& state_dir, const DriverSpec& spec);
  ~DriverUnderTest();  // stops the runtime and lets the module unload on the io_context
  DriverUnderTest(const DriverUnderTest&) = delete;
  DriverUnderTest& operator=(const DriverUnderTest&) = delete;

  Module& module();
  Json state(const char* name);  // null when the module has not published it
  bool connected();
  bool wait_for(const char* name, const Json& value,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Runs a method to completion; returns its value and the error text (empty on success).
  std::pair<Json, std::string> exec(const std::string& method, Json args = Json::array());
  // Messages of records at `level` or above that contain `text`.
  std::vector<std::string> logged(LogLevel level, const std::string& text) const;

  asio::io_context& driver_io;
  std::string module_id;
  DriverRegistry registry;
  std::unique_ptr<Runtime> runtime;
  std::vector<LoggedRecord> records;
  int connected_true = 0;  // how often `connected` turned true
  Subscription log_subscription;
  Subscription connected_subscription;
};

// How often `item` occurs in `all` (frames or lines a simulator received).
std::size_t count_of(const std::vector<std::string>& all, const std::string& item);

}  // namespace roomd::test
