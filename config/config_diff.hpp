// What a new config changes against the running one, for a reload (SIGHUP): the modules to
// start, stop or restart, the parts the running box can take over at once, and the settings
// that only a restart applies, each named by its JSON path.
#pragma once

#include "config/config.hpp"

#include <string>
#include <vector>

namespace roomd {

struct ConfigDiff {
  std::vector<std::string> added;    // module ids, in the new config's order
  std::vector<std::string> removed;  // in the old config's order
  std::vector<std::string> changed;  // driver, name, transport, settings or log level differ
  bool systems_changed = false;
  bool keys_changed = false;
  bool log_level_changed = false;
  bool alerts_changed = false;  // alerts or alert_options: applied at once
  // JSON paths whose new value takes effect only at the next start ("api.listen", …).
  std::vector<std::string> needs_restart;

  bool modules_changed() const { return !added.empty() || !removed.empty() || !changed.empty(); }
  bool empty() const {
    return !modules_changed() && !systems_changed && !keys_changed && !log_level_changed &&
           !alerts_changed && needs_restart.empty();
  }
};

ConfigDiff diff_configs(const Config& before, const Config& after);

}  // namespace roomd
