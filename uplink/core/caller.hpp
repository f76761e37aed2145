// Who is asking and about what, in the request core's terms: the caller's grant, where it
// comes from (for the audit and the logs) and the executor its answers are delivered on; a
// target is a module by system, generic name and index, whatever the wire format said.
#pragma once

#include "base/asio.hpp"
#include "uplink/core/access.hpp"

#include <string>

namespace roomd {

struct Caller {
  Grant grant;
  std::string peer;   // "127.0.0.1:51234"
  std::string via;    // the front-end: "WebSocket", "REST"
  Executor executor;  // exec results, notifications and debug records arrive here
};

struct Target {
  std::string sys;
  std::string mod;
  int index = 1;
};

// What a request needs of the key: viewer reads, operator execs, admin debugs and configures.
enum class Access { read, control, admin };

}  // namespace roomd
