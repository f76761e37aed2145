// The box's alerts as a front-end hears them: each one raised or cleared, as plain values, on
// the request core's strand and never after the subscription ended. The alert book calls its
// listeners under its lock on the raiser's thread; this moves them where the front-ends live.
#pragma once

#include "runtime/sdk/subscription.hpp"

#include <functional>
#include <string>

namespace roomd {

struct RequestCore;

struct AlertView {
  std::string id;
  std::string title;
  std::string severity;  // low, medium, high, critical
  std::string module;    // module id; empty for the box itself
  std::string sys;       // the first system listing the module; may be empty
  double raised_at = 0;  // Unix seconds
};

// `listener(alert, raised)`, raised false for a clearing. Reset the subscription on the strand.
Subscription subscribe_alerts(RequestCore& core,
                              std::function<void(const AlertView& alert, bool raised)> listener);

}  // namespace roomd
