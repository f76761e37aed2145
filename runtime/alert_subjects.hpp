// Who an alert is about, as an integrator reads it: a module id becomes "Display_1
// (mod-disp)" in the first system that lists it, with that system's id. Rebuilt on each
// config reload; read from any thread (module strands, log records).
#pragma once

#include "config/config.hpp"
#include "runtime/alert_book.hpp"

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace roomd {

class AlertSubjects {
 public:
  explicit AlertSubjects(const Config& config) { configure(config); }

  void configure(const Config& config);

  bool known(std::string_view module_id) const;
  // False for logic modules: no transport, so nothing can go offline.
  bool has_device(std::string_view module_id) const;
  // An alert about the module: `title` is "<Name>_<index> (<module id>)" followed by
  // `what` ("offline", ": lamp error"); the box itself when module_id is empty.
  Alert about(std::string_view module_id, std::string id, AlertSeverity severity,
              std::string_view what) const;

 private:
  struct Subject {
    std::string label;  // "Display_1", or the module's name when no system lists it
    std::string sys;
    bool device = false;
  };

  mutable std::mutex mutex_;
  std::map<std::string, Subject, std::less<>> subjects_;
};

}  // namespace roomd
