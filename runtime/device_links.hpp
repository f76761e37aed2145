// Where modules get their links to devices. The runtime knows transports only through this
// interface and transports/transport.hpp; main/ implements it with the real TCP, UDP and
// serial transports and the Modbus bus registry, and tests with fakes.
#pragma once

#include "base/link_config.hpp"
#include "runtime/module.hpp"
#include "runtime/sdk/driver_info.hpp"
#include "transports/modbus_bus.hpp"

#include <memory>

namespace roomd {

class DeviceLinks {
 public:
  virtual ~DeviceLinks() = default;
  // Makes a module's byte transport; empty for modules without one (logic and Modbus drivers).
  virtual TransportFactory transport(const TransportConfig& config, const DriverInfo& driver) = 0;
  // The shared bus of a Modbus module; null for other modules.
  virtual std::shared_ptr<modbus::Bus> modbus_bus(const TransportConfig& config) = 0;
  // Once every module is gone: stops the buses and joins their workers.
  virtual void stop() = 0;
};

}  // namespace roomd
