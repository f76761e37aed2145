// The audit of one exec, from any front-end, as the outbox records it: who (key id and
// front-end), what (module, method, arguments), how it ended (result or the 0-7 failure) and
// how long it took.
#pragma once

#include "base/json.hpp"
#include "uplink/core/failure.hpp"

#include <string>

namespace roomd {

struct ExecAudit {
  std::string key;  // the key id, or the upstream's
  std::string via;  // "WebSocket", "REST", "mqtt", …
  std::string module_id;
  std::string method;
  Json args;
  bool ok = false;
  Json result;    // when ok
  Failure error;  // when not
  double ms = 0;
  double ts = 0;  // when it was asked for, unix seconds
};

}  // namespace roomd
