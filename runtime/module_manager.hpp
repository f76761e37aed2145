// Builds the box's systems and modules from the config: resolves each module's driver
// (built-in or plugin), merges its settings with the driver's defaults, and addresses
// modules as <Name>_<index> within a system, the way clients name them.
#pragma once

#include "config/config.hpp"
#include "config/config_diff.hpp"
#include "runtime/device_links.hpp"
#include "runtime/driver_registry.hpp"
#include "runtime/log.hpp"
#include "runtime/module.hpp"
#include "runtime/module_checks.hpp"
#include "runtime/state_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace roomd {

class ModuleAlerts;

struct SystemModule {
  std::string name;  // generic name, e.g. "Display"
  int index;         // 1-based among the system's modules with that name
  Module* module;
};

struct System {
  std::string id;
  std::string name;
  std::vector<SystemModule> modules;
};

class ModuleManager final : public ModuleDirectory {
 public:
  using EventListener = std::function<void(const std::string& module_id, std::string_view event,
                                           const std::string& detail)>;

  // Expects a config that passed check_modules with the same registry.
  ModuleManager(asio::io_context& io, const Config& config, DriverRegistry& registry,
                StateStore& state, LogHub& logs, std::unique_ptr<DeviceLinks> links);
  ~ModuleManager() override;

  void start_all();
  void stop_all();
  // A live reload: `next` passed check_modules with the same registry, `diff` is
  // diff_configs(running, next). Removed and changed modules are unloaded (a removed one's
  // status variables erased, so their subscribers see null; a changed one's too when its
  // driver changed), changed and added ones start anew (a changed one once its predecessor
  // let go of the device), unchanged ones run on untouched; the systems are rebuilt. A
  // retired module is destroyed once nothing of it runs any more. Call it on the thread that
  // runs the modules (roomd runs one): modules read the systems while they run.
  void reload(const Config& next, const ConfigDiff& diff);
  std::size_t retiring() const { return retiring_.size(); }

  Module* module(std::string_view id) const;
  const std::vector<std::unique_ptr<Module>>& modules() const { return modules_; }
  const std::vector<System>& systems() const { return systems_; }
  const System* system(std::string_view id) const;
  Module* find(std::string_view system_id, std::string_view name, int index) const;

  Module* find_peer(const std::string& module_id, std::string_view name, int index) override;
  std::vector<PeerInfo> peers_of(const std::string& module_id) override;
  void module_event(const std::string& module_id, std::string_view event,
                    const std::string& detail) override;
  // Where module events go (the outbox's recorder). Set before start_all(); it runs on the
  // modules' strands, so it must be thread-safe.
  void on_module_event(EventListener listener) { events_ = std::move(listener); }
  // Where module events and drivers' alerts raise and clear alerts (the runtime's).
  void report_alerts_to(ModuleAlerts* alerts) { alerts_ = alerts; }
  void driver_alert_raised(const std::string& module_id, std::string_view key,
                           AlertSeverity severity, const std::string& title) override;
  void driver_alert_cleared(const std::string& module_id, std::string_view key) override;

 private:
  ModbusLink modbus_link(const TransportConfig& transport, const DriverInfo& info);
  std::unique_ptr<Module> make_module(const ModuleConfig& config,
                                      const std::vector<std::string>& driver_path);
  void build_systems(const std::vector<SystemConfig>& systems);
  void retire(std::unique_ptr<Module> module, bool forget_state, Module* successor);
  void reap();

  asio::io_context& io_;
  DriverRegistry& registry_;
  StateStore& state_;
  LogHub& logs_;
  std::unique_ptr<DeviceLinks> links_;  // before the modules: modules on a bus go before it
  std::vector<std::unique_ptr<Module>> modules_;
  std::vector<std::unique_ptr<Module>> retiring_;
  asio::steady_timer reaper_;
  std::vector<System> systems_;
  EventListener events_;
  ModuleAlerts* alerts_ = nullptr;
};

}  // namespace roomd
