// A Modbus device simulator on libmodbus's server API: serves a register map for several
// unit ids over TCP, and over RTU on a pseudo-terminal, with faults on demand (dead slave,
// exception replies, slow answers) and values that change over time. Used by the tests, the
// demo and `roomd simulate modbus`.
#pragma once

#include "transports/modbus_types.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace roomd::modbus {

class Simulator {
 public:
  struct Options {
    std::string bind = "127.0.0.1";
    std::uint16_t port = 0;  // TCP; 0 = ephemeral
    bool rtu = false;        // serve RTU on a new pseudo-terminal instead of TCP
    int baud = 9600;
  };

  explicit Simulator(Options options);
  ~Simulator();  // stops
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  void start();  // throws std::runtime_error when it cannot listen / open the pty
  void stop();
  std::uint16_t port() const;       // TCP port after start()
  std::string device_path() const;  // RTU: the pty path a client opens, after start()

  void add_unit(int unit);  // a unit answers only once added (any register reads as 0)
  void set_value(int unit, Table table, std::uint16_t address, std::uint16_t value);
  std::uint16_t value(int unit, Table table, std::uint16_t address) const;
  // Adds `step` to a register every `every` (wrapping within [low, high]).
  void drift(int unit, Table table, std::uint16_t address, int step,
             std::chrono::milliseconds every, int low = 0, int high = 65535);

  void set_dead(int unit, bool dead);      // no answer at all
  void set_exception(int unit, int code);  // answer every request with this code; 0 off
  void set_delay(int unit, std::chrono::milliseconds delay);  // answer late
  std::uint64_t requests(int unit) const;                     // requests received for the unit

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace roomd::modbus
