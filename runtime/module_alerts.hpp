// The alerts modules raise by what happens to them: `offline/<id>` (high) when a device
// module's `connected` stays false for `offline_after` (so a boot or a quick reconnect does
// not alert), `failed/<id>` (critical) from a driver failure until the module is up again,
// and the driver's own `driver/<id>/<key>` (raise_alert in the driver SDK).
#pragma once

#include "base/asio.hpp"
#include "config/config_diff.hpp"
#include "runtime/alert_book.hpp"
#include "runtime/alert_subjects.hpp"
#include "runtime/state_store.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace roomd {

class ModuleAlerts {
 public:
  ModuleAlerts(asio::io_context& io, AlertBook& book, StateStore& state,
               const AlertSubjects& subjects, Duration offline_after);
  ~ModuleAlerts();
  ModuleAlerts(const ModuleAlerts&) = delete;
  ModuleAlerts& operator=(const ModuleAlerts&) = delete;

  // From any module's strand: "failed", "connected", ... (ModuleDirectory::module_event).
  void module_event(const std::string& module_id, std::string_view event,
                    const std::string& detail);
  void driver_raised(const std::string& module_id, std::string_view key, AlertSeverity severity,
                     const std::string& title);
  void driver_cleared(const std::string& module_id, std::string_view key);
  // Starts the offline grace of these modules when not connected (at start).
  void watch(const std::vector<std::string>& module_ids);
  // After a config reload: what modules removed or replaced had raised is cleared (a
  // replaced module raises anew for itself), added ones are watched. Call after the
  // subjects were reconfigured.
  void reloaded(const ConfigDiff& diff);
  void set_offline_after(Duration offline_after);

  static std::string offline_id(std::string_view module_id);
  static std::string failed_id(std::string_view module_id);
  static std::string driver_id(std::string_view module_id, std::string_view key);

 private:
  struct Core;
  std::shared_ptr<Core> core_;
  Subscription connected_;
};

}  // namespace roomd
