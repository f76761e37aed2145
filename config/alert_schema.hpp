// roomd's `alerts` section (threshold rules: "sys-101/Sensor_1/co2 > 1000" held for a
// while) and `alert_options` (how long a module may be disconnected, how quiet a module must
// be after an error, before their alerts). Part of the config schema; config_loader calls it.
#pragma once

#include "config/config.hpp"
#include "config/object_reader.hpp"

#include <string>
#include <string_view>

namespace roomd {

// Reads the root's "alerts" and "alert_options" into `config`.
void parse_alerts(validation::ObjectReader& root, Config& config);

// "sys-101/Sensor_1/co2 > 1000" into the rule's variable, operator and value; the problem in
// words otherwise (empty when it parsed).
std::string parse_alert_condition(std::string_view when, AlertRuleConfig& out);

}  // namespace roomd
