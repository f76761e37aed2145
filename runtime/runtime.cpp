#include "runtime/runtime.hpp"

#include "runtime/alert_rules.hpp"
#include "runtime/alert_subjects.hpp"
#include "runtime/history.hpp"
#include "runtime/log_alerts.hpp"
#include "runtime/log_throttle.hpp"
#include "runtime/module_alerts.hpp"
#include "runtime/state_persistence.hpp"

#include <filesystem>
#include <map>

namespace roomd {

Runtime::Runtime(asio::io_context& io, Config config, DriverRegistry& registry,
                 std::unique_ptr<DeviceLinks> links)
    : io_(io),
      config_(std::move(config)),
      logs_(config_.log_level),
      alert_subjects_(std::make_unique<AlertSubjects>(config_)),
      module_alerts_(std::make_unique<ModuleAlerts>(io, alerts_, state_, *alert_subjects_,
                                                    config_.alert_options.offline_after)),
      log_alerts_(std::make_unique<LogAlerts>(io, alerts_, logs_, *alert_subjects_,
                                              config_.alert_options.log_quiet)),
      log_(logs_.system_logger()) {
  const std::filesystem::path state_dir(config_.box.state_dir);
  persistence_ = std::make_unique<StatePersistence>((state_dir / "roomd.db").string());
  history_ = std::make_unique<History>((state_dir / "history.db").string(), config_.history);
  // A failing disk is retried every second: one line a minute says it is still failing.
  history_->on_error(
      [this, throttle = LogThrottle(std::chrono::minutes(1))](const std::string& message) mutable {
        if (auto more = throttle.pass())
          log_.error(message, "; the changes wait in memory, check the disk under ",
                     config_.box.state_dir, *more);
      });
  for (const auto& [module, level] : persistence_->load_log_levels())
    if (auto parsed = parse_log_level(level)) logs_.restore_level(module, *parsed);
  logs_.on_level_changed([this](const std::string& module, LogLevel level) {
    persistence_->save_log_level(module, std::string(to_string(level)));
  });
  state_.on_listener_error(
      [this](std::string_view module_id, std::string_view name, std::string_view what) {
        log_.error("a subscriber to ", module_id, ".", name,
                   " failed on a change and missed it: ", what, "; the module carries on");
      });
  modules_ =
      std::make_unique<ModuleManager>(io, config_, registry, state_, logs_, std::move(links));
  modules_->report_alerts_to(module_alerts_.get());
}

Runtime::~Runtime() {
  logs_.on_level_changed(nullptr);
  alert_rules_.reset();
  modules_.reset();
  history_.reset();      // commits what is still queued
  persistence_.reset();  // flushes what is still queued
}

void Runtime::start() {
  persistence_->restore_into(state_);
  persistence_->attach(state_);
  history_->attach(state_);
  std::vector<std::string> ids;
  for (const auto& module : config_.modules) ids.push_back(module.id);
  module_alerts_->watch(ids);
  build_alert_rules();
  log_.info("roomd starting box ", config_.box.id, " with ", config_.modules.size(), " modules in ",
            config_.systems.size(), " systems; state in ", config_.box.state_dir);
  modules_->start_all();
}

void Runtime::stop() {
  log_.info("stopping modules");
  modules_->stop_all();
}

ConfigDiff Runtime::reload(Config next) {
  auto diff = diff_configs(config_, next);
  // What is still running of these until the next start, so a later reload names them again.
  next.box.id = config_.box.id;
  next.box.state_dir = config_.box.state_dir;
  auto keys = std::move(next.api.keys);
  next.api = config_.api;
  next.api.keys = std::move(keys);
  next.driver_path = config_.driver_path;
  next.upstream = config_.upstream;
  next.history = config_.history;
  next.dialects = config_.dialects;
  alert_subjects_->configure(next);
  if (diff.modules_changed() || diff.systems_changed) modules_->reload(next, diff);
  module_alerts_->reloaded(diff);
  module_alerts_->set_offline_after(next.alert_options.offline_after);
  log_alerts_->set_quiet(next.alert_options.log_quiet);
  const bool rules_stale = diff.alerts_changed || diff.modules_changed() || diff.systems_changed;
  std::map<std::string, LogLevel, std::less<>> levels;
  for (const auto& module : next.modules)
    if (module.log_level) levels.emplace(module.id, *module.log_level);
  logs_.reconfigure(next.log_level, levels);
  config_ = std::move(next);
  if (rules_stale) build_alert_rules();
  return diff;
}

void Runtime::build_alert_rules() {
  // The old rules clear what they raised before the new ones look at the store.
  alert_rules_.reset();
  alert_rules_ = std::make_unique<AlertRules>(io_, alerts_, state_, config_);
}

void Runtime::flush() {
  persistence_->flush();
  history_->flush();
}

}  // namespace roomd
