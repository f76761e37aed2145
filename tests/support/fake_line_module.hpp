// One built-in driver's module on a FakeLine (or, for a Modbus driver, a FakeModbusBus), for
// tests that play the device byte by byte (transcripts, malformed or hostile replies) without a
// simulator: the runtime's real Module, command queue and tokenizer, with no socket and no
// timing. Its log records are kept for the tests to read.
#pragma once

#include "runtime/alert_book.hpp"
#include "runtime/driver_registry.hpp"
#include "runtime/module.hpp"
#include "tests/support/driver_fixture.hpp"
#include "tests/support/fake_modbus_bus.hpp"
#include "tests/support/fake_transport.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace roomd::test {

struct FakeLineModule {
  // The module is started and its line accepts; settle() lets it connect.
  explicit FakeLineModule(const std::string& driver, const Json& settings = Json::object());
  // A Modbus driver's module: unit 1 on `bus`, and no byte line.
  FakeLineModule(const std::string& driver, const Json& settings,
                 std::shared_ptr<FakeModbusBus> bus);
  ~FakeLineModule();  // stops the module and lets it unload
  FakeLineModule(const FakeLineModule&) = delete;
  FakeLineModule& operator=(const FakeLineModule&) = delete;

  // Runs every handler that is ready, zero-delay timers included.
  void settle();
  // The device sends `bytes`, and the module handles them.
  void device_sends(std::string bytes);
  // Runs a method to completion; its value and the error text (empty on success).
  std::pair<Json, std::string> exec(const std::string& method, Json args = Json::array());
  Json state(const std::string& name) const;  // null when the module has not published it
  // Messages of records at `level` or above that contain `text`.
  std::vector<std::string> logged(LogLevel level, const std::string& text = "") const;

  asio::io_context io;
  DriverRegistry registry;
  StateStore store;
  LogHub logs{LogLevel::trace};
  FakeLine line;
  AlertBook alerts;  // what the driver raised, by its key: "lamp", not "driver/mod-test/lamp"
  std::unique_ptr<ModuleDirectory> peers;
  std::unique_ptr<Module> module;
  std::vector<LoggedRecord> records;
  Subscription log_subscription;

 private:
  void start(const std::string& driver, const Json& settings, TransportFactory transport,
             ModbusLink modbus);
};

}  // namespace roomd::test
