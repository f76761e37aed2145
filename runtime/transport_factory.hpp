// Turns a module's transport config into a transport factory; the one place where the
// runtime names concrete transports.
#pragma once

#include "config/config.hpp"
#include "runtime/driver_info.hpp"
#include "runtime/module.hpp"

namespace roomd {

// Empty factory for modules without a transport (logic drivers).
TransportFactory transport_factory(const TransportConfig& config, const DriverInfo& driver);

}  // namespace roomd
