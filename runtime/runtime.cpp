#include "runtime/runtime.hpp"

#include "runtime/history.hpp"
#include "runtime/log_throttle.hpp"
#include "runtime/state_persistence.hpp"

#include <filesystem>
#include <map>

namespace roomd {

Runtime::Runtime(asio::io_context& io, Config config, DriverRegistry& registry,
                 std::unique_ptr<DeviceLinks> links)
    : config_(std::move(config)), logs_(config_.log_level), log_(logs_.system_logger()) {
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
}

Runtime::~Runtime() {
  logs_.on_level_changed(nullptr);
  modules_.reset();
  history_.reset();      // commits what is still queued
  persistence_.reset();  // flushes what is still queued
}

void Runtime::start() {
  persistence_->restore_into(state_);
  persistence_->attach(state_);
  history_->attach(state_);
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
  if (diff.modules_changed() || diff.systems_changed) modules_->reload(next, diff);
  std::map<std::string, LogLevel, std::less<>> levels;
  for (const auto& module : next.modules)
    if (module.log_level) levels.emplace(module.id, *module.log_level);
  logs_.reconfigure(next.log_level, levels);
  config_ = std::move(next);
  return diff;
}

void Runtime::flush() {
  persistence_->flush();
  history_->flush();
}

}  // namespace roomd
