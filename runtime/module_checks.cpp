#include "runtime/module_checks.hpp"

#include "base/json_types.hpp"
#include "runtime/alert_rule_checks.hpp"

#include <map>

namespace roomd {
namespace {

void check_settings(const ModuleConfig& module, const DriverInfo& info,
                    std::vector<ConfigError>& errors) {
  if (!module.settings.is_object()) return;
  for (const auto& [key, value] : module.settings.items()) {
    const SettingInfo* declared = nullptr;
    for (const auto& s : info.settings)
      if (s.name == key) declared = &s;
    auto path = module.json_path + ".settings." + key;
    if (!declared) {
      std::string known;
      for (const auto& s : info.settings) known += (known.empty() ? "" : ", ") + s.name;
      errors.push_back(
          {path, "unknown setting for driver " + info.name +
                     (known.empty() ? " (it has no settings)" : " (it has: " + known + ")")});
      continue;
    }
    if (!json_is(declared->type, value))
      errors.push_back(
          {path, "expected " + json_type_phrase(declared->type) + ", got " +
                     (declared->secret ? std::string(value.type_name()) : to_text(value))});
  }
}

bool is_modbus(const TransportConfig& transport) {
  return std::holds_alternative<ModbusTcpConfig>(transport) ||
         std::holds_alternative<ModbusRtuConfig>(transport);
}

void check_transport(const ModuleConfig& module, const DriverInfo& info,
                     std::vector<ConfigError>& errors) {
  auto path = module.json_path + ".transport";
  bool has_transport = !std::holds_alternative<std::monostate>(module.transport);
  if (info.transport == TransportKind::none) {
    if (has_transport)
      errors.push_back({path, "driver " + info.name + " is a logic driver and takes no transport"});
    return;
  }
  if (!has_transport) {
    std::string hint =
        info.transport == TransportKind::modbus
            ? "modbus_tcp or modbus_rtu"
            : std::string(to_string(info.transport)) +
                  (info.default_port ? " (default port " + std::to_string(info.default_port) + ")"
                                     : "");
    errors.push_back({path, "required: driver " + info.name + " talks " + hint});
    return;
  }
  if (info.transport == TransportKind::modbus && !is_modbus(module.transport)) {
    errors.push_back({path, "driver " + info.name + " talks Modbus: use modbus_tcp or modbus_rtu"});
    return;
  }
  if (info.transport != TransportKind::modbus && is_modbus(module.transport)) {
    errors.push_back(
        {path, "driver " + info.name + " talks a byte protocol: use tcp, udp or serial"});
    return;
  }
  auto port_missing = [&](std::uint16_t port, const char* kind) {
    if (port == 0 && info.default_port == 0)
      errors.push_back(
          {path + "." + kind + ".port", "required: driver " + info.name + " has no default port"});
  };
  if (const auto* tcp = std::get_if<TcpTransportConfig>(&module.transport))
    port_missing(tcp->port, "tcp");
  if (const auto* udp = std::get_if<UdpTransportConfig>(&module.transport))
    port_missing(udp->port, "udp");
}

}  // namespace

Json merged_settings(const DriverInfo& info, const Json& configured) {
  Json settings = Json::object();
  for (const auto& s : info.settings) settings[s.name] = s.default_value;
  if (configured.is_object())
    for (const auto& [key, value] : configured.items()) settings[key] = value;
  return settings;
}

// The loader checks units written in the file; a unit left to the driver's default is known
// only here. Two modules polling one unit on one bus would read each other's registers.
static void check_default_units(const ModuleConfig& module, const DriverInfo& info,
                                std::map<std::string, std::pair<int, const ModuleConfig*>>& seen,
                                std::vector<ConfigError>& errors) {
  std::string bus;
  std::string kind;
  int unit = -1;
  if (const auto* tcp = std::get_if<ModbusTcpConfig>(&module.transport)) {
    bus = "modbus tcp " + tcp->host + ":" + std::to_string(tcp->port);
    kind = "modbus_tcp";
    unit = tcp->unit;
  } else if (const auto* rtu = std::get_if<ModbusRtuConfig>(&module.transport)) {
    bus = "modbus rtu " + rtu->port.describe();
    kind = "modbus_rtu";
    unit = rtu->unit;
  } else {
    return;
  }
  bool defaulted = unit < 0;
  if (defaulted) unit = info.default_unit;
  auto key = bus + " unit " + std::to_string(unit);
  auto [it, fresh] = seen.emplace(key, std::pair{defaulted ? 1 : 0, &module});
  if (fresh) {
    return;
  }
  bool other_defaulted = it->second.first == 1;
  if (!defaulted && !other_defaulted) return;  // the loader reported it
  errors.push_back({module.json_path + ".transport." + kind + ".unit",
                    "unit " + std::to_string(unit) +
                        (defaulted ? " (driver " + info.name + "'s default)" : "") + " on " + bus +
                        " is already used by " + it->second.second->json_path +
                        "; set \"unit\" to the device's address"});
}

std::vector<ConfigError> check_modules(const Config& config, DriverRegistry& registry) {
  std::vector<ConfigError> errors;
  std::map<std::string, std::pair<int, const ModuleConfig*>> units;
  for (const auto& module : config.modules) {
    std::string error;
    const auto* driver = registry.resolve(module.driver, config.driver_path, error);
    if (!driver) {
      errors.push_back({module.json_path + ".driver", error});
      continue;
    }
    const auto& info = driver->info;
    check_transport(module, info, errors);
    check_default_units(module, info, units, errors);
    try {
      make_tokenizer(info.tokenizer, info.max_frame, nullptr);
    } catch (const std::exception& e) {
      errors.push_back({module.json_path + ".driver", "driver " + info.name +
                                                          " declares an unusable tokenizer (" +
                                                          e.what() + "); fix the driver"});
    }
    check_settings(module, info, errors);
    if (info.check_settings)
      for (auto& problem : info.check_settings(merged_settings(info, module.settings)))
        errors.push_back({module.json_path + ".settings." + problem.path, problem.message});
  }
  check_alert_rules(config, registry, errors);
  return errors;
}

}  // namespace roomd
