// The config checks that need the drivers: each module's driver exists (plugins are loaded
// to know), its transport fits the driver, its settings have the declared names and types,
// and no two modules poll one Modbus unit. Also the settings a module runs with.
#pragma once

#include "base/json.hpp"
#include "config/config.hpp"
#include "runtime/driver_registry.hpp"

#include <vector>

namespace roomd {

// Checks what the plain config loader cannot: drivers exist (loading plugins), transports
// fit the driver, settings have the declared names and types.
std::vector<ConfigError> check_modules(const Config& config, DriverRegistry& registry);

// A module's settings: the driver's declared defaults with the config's values on top.
Json merged_settings(const DriverInfo& info, const Json& configured);

}  // namespace roomd
