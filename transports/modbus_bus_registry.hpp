// The box's Modbus buses (an RTU line or a TCP host:port), one per key and shared by every
// module on it. libmodbus blocks, so a bus owns one worker thread and its modbus_t; requests
// run one at a time, exec and writes before polls, with a gap between frames, and results are
// posted back to the caller's executor. A slave that keeps timing out is polled slowly until
// it answers, so the other slaves keep their rate.
#pragma once

#include "base/link_config.hpp"
#include "transports/modbus_bus.hpp"

#include <functional>
#include <memory>
#include <string>

namespace roomd::modbus {

// Resolves an RTU port spec to a device path at each (re)connect; empty when absent.
using PortResolver = std::function<std::string(const SerialPortSpec&)>;

// Buses by key ("tcp:host:port", "rtu:<port spec>"); modules on the same key share one bus.
class BusRegistry {
 public:
  explicit BusRegistry(PortResolver resolver);
  ~BusRegistry();
  std::shared_ptr<Bus> tcp(const ModbusTcpConfig& config);
  std::shared_ptr<Bus> rtu(const ModbusRtuConfig& config);
  void stop_all();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace roomd::modbus
