// The checks of `alerts` rules that need the systems and the drivers: the system and the
// module alias exist, and the driver declares the variable. check_modules runs them.
#pragma once

#include "config/config.hpp"
#include "runtime/driver_registry.hpp"

#include <vector>

namespace roomd {

// The module a rule watches (its sys/Module_index), or null.
const ModuleConfig* rule_module(const Config& config, const AlertRuleConfig& rule);

void check_alert_rules(const Config& config, DriverRegistry& registry,
                       std::vector<ConfigError>& errors);

}  // namespace roomd
