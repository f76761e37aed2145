#include "main/config_reload.hpp"

#include "main/cli.hpp"
#include "main/store_and_forward.hpp"
#include "runtime/runtime.hpp"
#include "uplink/http/api_server.hpp"

namespace roomd {

namespace {

// "2 modules added (mod-a, mod-b)"
std::string listed(const char* what, const std::vector<std::string>& ids) {
  std::string out = std::to_string(ids.size()) + " " + what + " (";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + ids[i];
  return out + ")";
}

}  // namespace

ConfigReload::ConfigReload(std::string path, std::optional<std::string> state_dir,
                           DriverRegistry& registry, Runtime& runtime, ApiServer& api,
                           StoreAndForward& upstream)
    : path_(std::move(path)),
      state_dir_(std::move(state_dir)),
      registry_(registry),
      runtime_(runtime),
      api_(api),
      upstream_(upstream),
      log_(runtime.logs().system_logger()) {}

bool ConfigReload::run() {
  log_.info("SIGHUP: reloading the config from ", path_);
  auto result = cli::check_config_file(path_, registry_);
  if (!result.config) {
    log_.error("config reload refused: ", path_, " has ", result.errors.size(), " problem",
               result.errors.size() == 1 ? "" : "s",
               "; the box runs on with the config it started with or last reloaded");
    for (const auto& error : result.errors) log_.error("  ", path_, ": ", error.text());
    return false;
  }
  auto next = std::move(*result.config);
  if (state_dir_) next.box.state_dir = *state_dir_;

  ConfigDiff diff;
  try {
    diff = runtime_.reload(std::move(next));
  } catch (const std::exception& e) {
    // Modules are built before any stops, so a driver that cannot be made changes nothing.
    log_.error("config reload refused: ", e.what(), "; the box runs on as it was");
    return false;
  }
  std::size_t revoked = 0;
  if (diff.keys_changed) revoked = api_.replace_keys(runtime_.config().api.keys);
  if (diff.modules_changed() || diff.systems_changed) upstream_.modules_changed(diff.removed);

  std::string applied;  // "1 added (mod-x), 1 removed (mod-y), API keys updated"
  auto add = [&](const std::string& part) { applied += (applied.empty() ? "" : ", ") + part; };
  if (!diff.added.empty()) add(listed("added", diff.added));
  if (!diff.removed.empty()) add(listed("removed", diff.removed));
  if (!diff.changed.empty()) add(listed("restarted with new settings", diff.changed));
  if (diff.systems_changed) add("systems updated");
  if (diff.keys_changed)
    add(revoked == 0 ? std::string("API keys updated")
                     : "API keys updated (" + std::to_string(revoked) + " WebSocket" +
                           (revoked == 1 ? "" : "s") + " of changed or removed keys closed)");
  if (diff.alerts_changed) add("alert rules updated");
  if (diff.log_level_changed)
    add("log level now " + std::string(to_string(runtime_.config().log_level)));
  log_.info("config reloaded: ", applied.empty() ? "nothing to apply" : applied);
  for (const auto& path : diff.needs_restart)
    log_.warn("config reload: ", path, " changed; it takes effect at the next restart");
  return true;
}

}  // namespace roomd
