// Turns a module's transport config into a transport factory; the one place where the
// runtime names concrete transports.
#pragma once

#include "config/config.hpp"
#include "runtime/driver_info.hpp"
#include "runtime/module.hpp"
#include "transports/modbus_bus.hpp"

namespace roomd {

// Empty factory for modules without a byte transport (logic drivers, Modbus drivers).
TransportFactory transport_factory(const TransportConfig& config, const DriverInfo& driver);

// Finds a serial port's device path now (path, by-id link or USB identity); "" when absent.
modbus::PortResolver serial_port_resolver();

}  // namespace roomd
