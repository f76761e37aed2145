// One Modbus bus (an RTU line or a TCP host:port) as the modules on it see it: requests for
// their units, results posted back to their executor. This is the whole interface the runtime
// and drivers use; modbus_bus_registry.hpp makes the buses.
#pragma once

#include "transports/modbus_request.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace roomd::modbus {

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

}  // namespace roomd::modbus
