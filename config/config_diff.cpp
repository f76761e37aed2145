#include "config/config_diff.hpp"

#include <algorithm>

namespace roomd {

namespace {

// Where a module sits in the file (json_path) is no change to the module.
bool same_module(const ModuleConfig& a, const ModuleConfig& b) {
  return a.driver == b.driver && a.name == b.name && a.transport == b.transport &&
         a.settings == b.settings && a.log_level == b.log_level;
}

const ModuleConfig* find_module(const Config& config, const std::string& id) {
  auto it = std::find_if(config.modules.begin(), config.modules.end(),
                         [&](const ModuleConfig& m) { return m.id == id; });
  return it == config.modules.end() ? nullptr : &*it;
}

// The API's bounds and timeouts: everything but the address, the keys and TLS, which have
// their own entries.
bool same_limits(ApiConfig a, ApiConfig b) {
  a.listen = b.listen = {};
  a.keys = b.keys = {};
  a.tls = b.tls = {};
  return a == b;
}

bool same_outbox(const UpstreamConfig& a, const UpstreamConfig& b) {
  return a.outbox_enabled == b.outbox_enabled && a.outbox == b.outbox;
}

}  // namespace

ConfigDiff diff_configs(const Config& before, const Config& after) {
  ConfigDiff diff;
  for (const auto& module : after.modules) {
    const auto* old = find_module(before, module.id);
    if (!old)
      diff.added.push_back(module.id);
    else if (!same_module(*old, module))
      diff.changed.push_back(module.id);
  }
  for (const auto& module : before.modules)
    if (!find_module(after, module.id)) diff.removed.push_back(module.id);
  diff.systems_changed = before.systems != after.systems;
  diff.keys_changed = before.api.keys != after.api.keys;
  diff.log_level_changed = before.log_level != after.log_level;
  diff.alerts_changed =
      before.alerts != after.alerts || before.alert_options != after.alert_options;

  auto restart_if = [&](bool differs, const char* path) {
    if (differs) diff.needs_restart.emplace_back(path);
  };
  restart_if(before.box.id != after.box.id, "box.id");
  restart_if(before.box.state_dir != after.box.state_dir, "box.state_dir");
  restart_if(before.api.listen != after.api.listen, "api.listen");
  // The certificate is loaded when the listener opens; a renewed one needs a restart too.
  restart_if(before.api.tls != after.api.tls, "api.tls");
  restart_if(!same_limits(before.api, after.api), "api (limits)");
  restart_if(before.driver_path != after.driver_path, "driver_path");
  restart_if(before.upstream.mqtt != after.upstream.mqtt, "upstream.mqtt");
  restart_if(!same_outbox(before.upstream, after.upstream), "upstream.outbox");
  restart_if(before.history != after.history, "history");
  restart_if(before.dialects.openframe != after.dialects.openframe, "dialects.openframe");
  restart_if(before.dialects.das != after.dialects.das, "dialects.das");
  return diff;
}

}  // namespace roomd
