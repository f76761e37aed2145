// One status change as the upstream sees it: where it happened in the client's terms (system,
// generic name, index) and the module's id, the variable, its JSON text (null when the
// variable was deleted) and when it happened. The recorder makes them once per change.
#pragma once

#include "uplink/core/notify_hub.hpp"

#include <string>

namespace roomd {

struct StatusChange {
  std::string sys;  // the first system the module is in ("" when it is in none)
  std::string mod;  // generic name, "Display"
  int index = 1;
  std::string module_id;
  std::string name;
  SharedText value;  // JSON text; null: deleted
  double ts = 0;     // unix seconds
};

}  // namespace roomd
