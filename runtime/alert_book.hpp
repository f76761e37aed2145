// The box's active alerts: conditions a person should look at (a module offline, a lamp
// error, a CO2 rule). Each source raises an alert under a stable id and clears it when the
// condition ends; listeners (the outbox, the dialects) hear both, on the raiser's thread.
#pragma once

#include "runtime/sdk/alert_severity.hpp"
#include "runtime/sdk/subscription.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd {

const char* to_string(AlertSeverity severity);
std::optional<AlertSeverity> parse_alert_severity(std::string_view text);

struct Alert {
  std::string id;     // stable per condition: "offline/mod-proj", "rule/0", "driver/mod-proj/lamp"
  std::string title;  // for a person: "Projector offline"
  AlertSeverity severity = AlertSeverity::medium;
  std::string module;    // module id; empty for the box itself
  std::string sys;       // the first system listing the module; may be empty
  double raised_at = 0;  // Unix seconds with a fraction; set by raise() when 0
};

class AlertBook {
 public:
  // `raised` false: the alert was cleared (the Alert is the one that was active).
  using Listener = std::function<void(const Alert& alert, bool raised)>;

  AlertBook();
  ~AlertBook();
  AlertBook(const AlertBook&) = delete;
  AlertBook& operator=(const AlertBook&) = delete;

  // Returns false, and tells nobody, when an alert with this id is already active.
  bool raise(Alert alert);
  // Returns false when no alert with this id is active.
  bool clear(std::string_view id);
  // Clears every active alert whose id starts with `prefix` (a removed module's).
  void clear_prefix(std::string_view prefix);

  // Active alerts, oldest first.
  std::vector<Alert> active() const;
  std::optional<Alert> find(std::string_view id) const;

  // Listeners hear every raise and clear in the order they happened: they run under the
  // book's lock, so they post what they do and never call the book themselves.
  Subscription subscribe(Listener listener);

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace roomd
