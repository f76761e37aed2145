// The Bus behind BusRegistry: one worker thread that owns the bus's modbus_t (libmodbus
// blocks) and runs queued requests one at a time, exec and writes before polls, with a quiet
// gap between frames, a per-slave breaker and reconnects with backoff. Private to transports/.
#pragma once

#include "transports/modbus_bus_registry.hpp"

#include <memory>

namespace roomd::modbus {

class BusWorker final : public Bus {
 public:
  explicit BusWorker(ModbusTcpConfig config);
  // `resolver` turns the port spec into a device path at every (re)connect; without one the
  // spec's path is used as it is.
  BusWorker(ModbusRtuConfig config, PortResolver resolver);
  ~BusWorker() override;  // stops
  BusWorker(const BusWorker&) = delete;
  BusWorker& operator=(const BusWorker&) = delete;

  void submit(Request request, boost::asio::any_io_executor executor,
              std::function<void(Result)> done) override;
  bool connected() const override;
  SlaveHealth health(int unit) const override;
  std::string describe() const override;
  void stop() override;

  // Tells the worker to stop without waiting for it, so several buses can wind down at once
  // (each may be inside a transaction that lasts up to its response timeout).
  void request_stop();
  bool stopped() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace roomd::modbus
