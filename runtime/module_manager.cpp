#include "runtime/module_manager.hpp"

#include "runtime/module_alerts.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <map>

namespace roomd {

ModuleManager::ModuleManager(asio::io_context& io, const Config& config, DriverRegistry& registry,
                             StateStore& state, LogHub& logs, std::unique_ptr<DeviceLinks> links)
    : io_(io),
      registry_(registry),
      state_(state),
      logs_(logs),
      links_(std::move(links)),
      reaper_(io) {
  for (const auto& module_config : config.modules)
    modules_.push_back(make_module(module_config, config.driver_path));
  build_systems(config.systems);
}

std::unique_ptr<Module> ModuleManager::make_module(const ModuleConfig& config,
                                                   const std::vector<std::string>& driver_path) {
  std::string error;
  const auto* driver = registry_.resolve(config.driver, driver_path, error);
  if (!driver) throw std::runtime_error(config.json_path + ".driver: " + error);
  auto logger = logs_.logger(config.id, driver->info.name, config.log_level);
  return std::make_unique<Module>(
      io_.get_executor(), config, *driver, merged_settings(driver->info, config.settings), state_,
      std::move(logger), *this, links_->transport(config.transport, driver->info),
      modbus_link(config.transport, driver->info));
}

void ModuleManager::build_systems(const std::vector<SystemConfig>& systems) {
  systems_.clear();
  for (const auto& system_config : systems) {
    System system{system_config.id, system_config.name, {}};
    std::map<std::string, int> counts;
    for (const auto& id : system_config.modules) {
      Module* member = module(id);
      if (!member) continue;  // the config loader reported it
      const auto& name = member->config().name;
      system.modules.push_back({name, ++counts[name], member});
    }
    systems_.push_back(std::move(system));
  }
}

void ModuleManager::reload(const Config& next, const ConfigDiff& diff) {
  auto listed = [](const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  // Built before anything stops: a driver that cannot be resolved leaves the box as it was.
  std::map<std::string, std::unique_ptr<Module>, std::less<>> fresh;
  for (const auto& module_config : next.modules)
    if (listed(diff.added, module_config.id) || listed(diff.changed, module_config.id))
      fresh[module_config.id] = make_module(module_config, next.driver_path);

  std::vector<std::unique_ptr<Module>> kept;
  std::vector<Module*> to_start;
  for (auto& module : modules_) {
    const auto& id = module->module_id();
    if (listed(diff.removed, id)) {
      retire(std::move(module), true, nullptr);
    } else if (auto it = fresh.find(id); it != fresh.end()) {
      const bool same_driver = module->config().driver == it->second->config().driver;
      retire(std::move(module), !same_driver, it->second.get());
    } else {
      kept.push_back(std::move(module));
    }
  }
  // In the new config's order, as a fresh start would have them.
  modules_.clear();
  for (const auto& module_config : next.modules) {
    if (auto it = fresh.find(module_config.id); it != fresh.end()) {
      if (listed(diff.added, module_config.id)) to_start.push_back(it->second.get());
      modules_.push_back(std::move(it->second));
      continue;
    }
    for (auto& module : kept)
      if (module && module->module_id() == module_config.id) modules_.push_back(std::move(module));
  }
  build_systems(next.systems);
  for (auto* module : to_start) module->start();
  reap();
}

void ModuleManager::retire(std::unique_ptr<Module> module, bool forget_state, Module* successor) {
  // The successor of a changed module starts once the old one closed its port or socket, so
  // the two never hold one serial line or device connection at the same time.
  module->retire(forget_state, [successor] {
    if (successor) successor->start();
  });
  retiring_.push_back(std::move(module));
}

void ModuleManager::reap() {
  for (auto it = retiring_.begin(); it != retiring_.end();) {
    if (!(*it)->drained()) {
      ++it;
      continue;
    }
    // Destroyed after what its strand still holds (the completion of its last coroutine).
    auto strand = (*it)->executor();
    std::shared_ptr<Module> last(std::move(*it));
    it = retiring_.erase(it);
    asio::post(strand, [this, last]() mutable {
      asio::post(io_, [last = std::move(last)] { (void)last; });
    });
  }
  if (retiring_.empty()) return;
  reaper_.expires_after(std::chrono::milliseconds(50));
  reaper_.async_wait([this](const error_code& ec) {
    if (!ec) reap();
  });
}

void ModuleManager::module_event(const std::string& module_id, std::string_view event,
                                 const std::string& detail) {
  if (events_) events_(module_id, event, detail);
  if (alerts_) alerts_->module_event(module_id, event, detail);
}

void ModuleManager::driver_alert_raised(const std::string& module_id, std::string_view key,
                                        AlertSeverity severity, const std::string& title) {
  if (alerts_) alerts_->driver_raised(module_id, key, severity, title);
}

void ModuleManager::driver_alert_cleared(const std::string& module_id, std::string_view key) {
  if (alerts_) alerts_->driver_cleared(module_id, key);
}

ModuleManager::~ModuleManager() {
  reaper_.cancel();
  retiring_.clear();
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
