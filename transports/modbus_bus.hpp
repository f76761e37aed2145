// One Modbus bus (an RTU line or a TCP host:port) shared by every module on it. libmodbus
// blocks, so the bus owns one worker thread and its modbus_t; requests run one at a time,
// exec and writes before polls, with a gap between frames, and results are posted back to
// the caller's executor. A slave that keeps timing out is polled slowly until it answers, so
// the other slaves keep their rate.
#pragma once

#include "config/config.hpp"
#include "transports/modbus_types.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace roomd::modbus {

struct Request {
  int unit = 1;
  Table table = Table::holding_register;
  std::uint16_t address = 0;
  std::uint16_t count = 1;
  bool write = false;
  std::vector<std::uint16_t> registers;  // values to write (register tables)
  std::vector<std::uint8_t> bits;        // values to write (coils), 0 or 1
  bool poll = false;  // polls yield to everything else and are held back for a tripped slave
};

struct Result {
  bool ok = false;
  bool timeout = false;
  int exception = 0;  // Modbus exception code from the slave, 0 for none
  std::string error;  // for people: bus, unit, table, address, what happened, what to check
  std::vector<std::uint16_t> registers;  // read results (register tables)
  std::vector<std::uint8_t> bits;        // read results (bit tables)
};

enum class SlaveHealth { ok, tripped };

class Bus {
 public:
  virtual ~Bus() = default;
  // Queues a request; `done` runs on `executor`. Never blocks the caller.
  virtual void submit(Request request, boost::asio::any_io_executor executor,
                      std::function<void(Result)> done) = 0;
  virtual bool connected() const = 0;
  virtual SlaveHealth health(int unit) const = 0;
  virtual std::string describe() const = 0;  // "modbus tcp 10.0.0.9:502", "modbus rtu /dev/ttyUSB0"
  virtual void stop() = 0;                   // fails queued requests, joins the worker
};

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
