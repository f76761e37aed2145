#include "runtime/module_manager.hpp"

#include <map>

namespace roomd {

ModuleManager::ModuleManager(asio::io_context& io, const Config& config, DriverRegistry& registry,
                             StateStore& state, LogHub& logs, std::unique_ptr<DeviceLinks> links)
    : links_(std::move(links)) {
  std::map<std::string, Module*, std::less<>> by_id;
  for (const auto& module_config : config.modules) {
    std::string error;
    const auto* driver = registry.resolve(module_config.driver, config.driver_path, error);
    if (!driver) throw std::runtime_error(module_config.json_path + ".driver: " + error);
    auto logger = logs.logger(module_config.id, driver->info.name, module_config.log_level);
    auto module = std::make_unique<Module>(io.get_executor(), module_config, *driver,
                                           merged_settings(driver->info, module_config.settings),
                                           state, std::move(logger), *this,
                                           links_->transport(module_config.transport, driver->info),
                                           modbus_link(module_config.transport, driver->info));
    by_id[module_config.id] = module.get();
    modules_.push_back(std::move(module));
  }
  for (const auto& system_config : config.systems) {
    System system{system_config.id, system_config.name, {}};
    std::map<std::string, int> counts;
    for (const auto& id : system_config.modules) {
      auto it = by_id.find(id);
      if (it == by_id.end()) continue;  // the config loader reported it
      const auto& name = it->second->config().name;
      system.modules.push_back({name, ++counts[name], it->second});
    }
    systems_.push_back(std::move(system));
  }
}

void ModuleManager::module_event(const std::string& module_id, std::string_view event,
                                 const std::string& detail) {
  if (events_) events_(module_id, event, detail);
}

ModuleManager::~ModuleManager() {
  modules_.clear();
  links_->stop();
}

ModbusLink ModuleManager::modbus_link(const TransportConfig& transport, const DriverInfo& info) {
  auto unit = [&](int configured) { return configured >= 0 ? configured : info.default_unit; };
  if (const auto* tcp = std::get_if<ModbusTcpConfig>(&transport))
    return {links_->modbus_bus(transport), unit(tcp->unit)};
  if (const auto* rtu = std::get_if<ModbusRtuConfig>(&transport))
    return {links_->modbus_bus(transport), unit(rtu->unit)};
  return {};
}

void ModuleManager::start_all() {
  for (auto& module : modules_) module->start();
}

void ModuleManager::stop_all() {
  for (auto& module : modules_) module->stop();
}

Module* ModuleManager::module(std::string_view id) const {
  for (const auto& module : modules_)
    if (module->module_id() == id) return module.get();
  return nullptr;
}

const System* ModuleManager::system(std::string_view id) const {
  for (const auto& system : systems_)
    if (system.id == id) return &system;
  return nullptr;
}

Module* ModuleManager::find(std::string_view system_id, std::string_view name, int index) const {
  const auto* sys = system(system_id);
  if (!sys) return nullptr;
  for (const auto& entry : sys->modules)
    if (entry.name == name && entry.index == index) return entry.module;
  return nullptr;
}

Module* ModuleManager::find_peer(const std::string& module_id, std::string_view name, int index) {
  for (const auto& sys : systems_) {
    bool member = false;
    for (const auto& entry : sys.modules) member = member || entry.module->module_id() == module_id;
    if (!member) continue;
    if (auto* found = find(sys.id, name, index)) return found;
  }
  return nullptr;
}

std::vector<PeerInfo> ModuleManager::peers_of(const std::string& module_id) {
  std::vector<PeerInfo> out;
  for (const auto& sys : systems_) {
    bool member = false;
    for (const auto& entry : sys.modules) member = member || entry.module->module_id() == module_id;
    if (!member) continue;
    for (const auto& entry : sys.modules) {
      if (entry.module->module_id() == module_id) continue;
      // The same order as find_peer: the first system that has a name and index wins.
      bool seen = false;
      for (const auto& peer : out)
        seen = seen || (peer.name == entry.name && peer.index == entry.index);
      if (seen) continue;
      const auto& info = entry.module->driver().info;
      out.push_back(
          {entry.name, entry.index, entry.module->module_id(), info.name, info.generic_name});
    }
  }
  return out;
}

}  // namespace roomd
