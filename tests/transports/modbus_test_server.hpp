// A small Modbus TCP server on libmodbus for the bus tests: several unit ids, each with its own
// register map, dead units that never answer, exception replies and slow answers. The tests of
// transports/ do not link the drivers, so they cannot use the Modbus simulator there.
#pragma once

#include "transports/modbus_types.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace roomd::test {

class ModbusTestServer {
 public:
  static constexpr int kTableSize = 100;  // addresses 0-99 of every table; beyond: exception 2

  explicit ModbusTestServer(std::uint16_t port = 0);  // 0: ephemeral
  ~ModbusTestServer();                                // stops
  ModbusTestServer(const ModbusTestServer&) = delete;
  ModbusTestServer& operator=(const ModbusTestServer&) = delete;

  void start();  // listens (throws std::runtime_error when it cannot) and serves on a thread
  void stop();   // closes the listener and every connection
  std::uint16_t port() const;

  // A unit answers once added; requests for other units are counted and never answered.
  void add_unit(int unit);
  void set_dead(int unit, bool dead);
  void set_exception(int unit, int code);  // 0: answer normally
  void set_delay(int unit, std::chrono::milliseconds delay);
  void set_value(int unit, modbus::Table table, std::uint16_t address, std::uint16_t value);
  std::uint16_t value(int unit, modbus::Table table, std::uint16_t address) const;

  std::uint64_t requests(int unit) const;
  int last_function(int unit) const;  // function code of the unit's last request, 0 for none
  // When each request arrived, every unit together, in order.
  std::vector<std::chrono::steady_clock::time_point> arrivals() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace roomd::test
