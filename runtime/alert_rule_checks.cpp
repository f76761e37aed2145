#include "runtime/alert_rule_checks.hpp"

#include <algorithm>

namespace roomd {

namespace {

const ModuleConfig* module_by_id(const Config& config, const std::string& id) {
  for (const auto& module : config.modules)
    if (module.id == id) return &module;
  return nullptr;
}

// Variables the runtime publishes for every device module, whatever the driver declares.
bool runtime_variable(const std::string& name) {
  return name == "connected";
}

}  // namespace

const ModuleConfig* rule_module(const Config& config, const AlertRuleConfig& rule) {
  for (const auto& system : config.systems) {
    if (system.id != rule.sys) continue;
    int seen = 0;
    for (const auto& id : system.modules) {
      const auto* module = module_by_id(config, id);
      if (module && module->name == rule.module && ++seen == rule.index) return module;
    }
  }
  return nullptr;
}

void check_alert_rules(const Config& config, DriverRegistry& registry,
                       std::vector<ConfigError>& errors) {
  for (const auto& rule : config.alerts) {
    const auto path = rule.json_path + ".when";
    const auto address = rule.sys + "/" + rule.module + "_" + std::to_string(rule.index);
    const bool system_known = std::any_of(config.systems.begin(), config.systems.end(),
                                          [&](const SystemConfig& s) { return s.id == rule.sys; });
    if (!system_known) {
      errors.push_back(
          {path, "unknown variable " + address + "/" + rule.variable + ": no system " + rule.sys});
      continue;
    }
    const auto* module = rule_module(config, rule);
    if (!module) {
      errors.push_back({path, "unknown variable " + address + "/" + rule.variable + ": system " +
                                  rule.sys + " has no module " + rule.module + "_" +
                                  std::to_string(rule.index)});
      continue;
    }
    std::string error;
    const auto* driver = registry.resolve(module->driver, config.driver_path, error);
    if (!driver || runtime_variable(rule.variable)) continue;  // the module's own error says why
    const auto& declared = driver->info.status;
    if (declared.empty()) continue;  // a driver that declares nothing may publish anything
    if (std::any_of(declared.begin(), declared.end(),
                    [&](const StatusInfo& s) { return s.name == rule.variable; }))
      continue;
    std::string known;
    for (const auto& s : declared) known += (known.empty() ? "" : ", ") + s.name;
    errors.push_back({path, "unknown variable " + address + "/" + rule.variable + ": driver " +
                                driver->info.name + " has " + known});
  }
}

}  // namespace roomd
