#include "runtime/alert_subjects.hpp"

#include <variant>

namespace roomd {

void AlertSubjects::configure(const Config& config) {
  std::map<std::string, Subject, std::less<>> next;
  std::map<std::string, std::string, std::less<>> names;
  for (const auto& module : config.modules) {
    next[module.id] = {module.name, "", !std::holds_alternative<std::monostate>(module.transport)};
    names[module.id] = module.name;
  }
  // A module listed in several systems is named as in the first, like everywhere else.
  for (const auto& system : config.systems) {
    std::map<std::string, int, std::less<>> counts;
    for (const auto& id : system.modules) {
      auto it = next.find(id);
      if (it == next.end()) continue;
      const auto& name = names[id];
      const int index = ++counts[name];
      if (!it->second.sys.empty()) continue;
      it->second.label = name + "_" + std::to_string(index);
      it->second.sys = system.id;
    }
  }
  std::lock_guard lock(mutex_);
  subjects_ = std::move(next);
}

bool AlertSubjects::known(std::string_view module_id) const {
  std::lock_guard lock(mutex_);
  return subjects_.find(module_id) != subjects_.end();
}

bool AlertSubjects::has_device(std::string_view module_id) const {
  std::lock_guard lock(mutex_);
  auto it = subjects_.find(module_id);
  return it != subjects_.end() && it->second.device;
}

Alert AlertSubjects::about(std::string_view module_id, std::string id, AlertSeverity severity,
                           std::string_view what) const {
  Alert alert;
  alert.id = std::move(id);
  alert.severity = severity;
  alert.module = std::string(module_id);
  std::string label;
  {
    std::lock_guard lock(mutex_);
    if (auto it = subjects_.find(module_id); it != subjects_.end()) {
      label = it->second.label;
      alert.sys = it->second.sys;
    }
  }
  if (module_id.empty())
    alert.title = "roomd";
  else if (label.empty())
    alert.title = alert.module;
  else
    alert.title = label + " (" + alert.module + ")";
  if (!what.empty() && what.front() != ':') alert.title += ' ';
  alert.title += what;
  return alert;
}

}  // namespace roomd
