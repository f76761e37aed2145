// Everything `roomd run` keeps alive for one config: logs, the state store with its
// persistence and history, the active alerts, and the modules. The HTTP/WebSocket API and the
// uplink attach to it from outside through these accessors.
#pragma once

#include "config/config.hpp"
#include "runtime/alert_book.hpp"
#include "runtime/driver_registry.hpp"
#include "runtime/log.hpp"
#include "runtime/module_manager.hpp"
#include "runtime/state_store.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>

namespace roomd {

class History;
class AlertRules;
class AlertSubjects;
class LogAlerts;
class ModuleAlerts;
class StatePersistence;

class Runtime {
 public:
  // The config must have passed parse_config and check_modules with this registry. `links`
  // makes the modules' device links (main/device_links.hpp, or a test's fakes).
  Runtime(asio::io_context& io, Config config, DriverRegistry& registry,
          std::unique_ptr<DeviceLinks> links);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Restores the persisted state and log levels, then starts every module.
  void start();
  // Stops the modules (their unload runs on the io_context) and flushes the state to disk.
  void stop();
  void flush();
  // A live reload (SIGHUP) to `next`, which passed parse_config and check_modules: the
  // modules added, removed or changed are started or stopped (ModuleManager::reload), the
  // log level, the box's name and the alert rules apply at once, the API keys are the caller's to
  // apply. What only a restart applies (needs_restart in the answer) keeps its running value in
  // config().
  ConfigDiff reload(Config next);

  const Config& config() const { return config_; }
  LogHub& logs() { return logs_; }
  StateStore& state() { return state_; }
  AlertBook& alerts() { return alerts_; }
  History& history() { return *history_; }
  ModuleManager& modules() { return *modules_; }

 private:
  void build_alert_rules();

  asio::io_context& io_;
  Config config_;
  LogHub logs_;
  StateStore state_;
  AlertBook alerts_;
  // The sources of alerts: outlive the modules, which report to them until they are gone.
  std::unique_ptr<AlertSubjects> alert_subjects_;
  std::unique_ptr<ModuleAlerts> module_alerts_;
  std::unique_ptr<LogAlerts> log_alerts_;
  std::unique_ptr<StatePersistence> persistence_;
  std::unique_ptr<History> history_;
  std::unique_ptr<ModuleManager> modules_;
  std::unique_ptr<AlertRules> alert_rules_;
  Logger log_;
};

}  // namespace roomd
