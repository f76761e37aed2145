// What a front-end may read of the box through the request core: the systems a caller sees,
// a module's id, driver metadata and status, the box's health. Plain values, plus an opaque
// Module handle to hand back to the core, so no dialect reads the runtime itself.
#pragma once

#include "runtime/sdk/driver_info.hpp"

#include <string>
#include <vector>

namespace roomd {

class Module;

struct MemberView {
  std::string name;  // generic name, e.g. "Display"
  int index = 1;     // 1-based among the system's modules with that name
  std::string module_id;
  std::string driver;
  bool connected = false;
  Module* module = nullptr;
};

struct SystemView {
  std::string id;
  std::string name;
  std::vector<MemberView> modules;
};

// The key a caller presented, as it may see it: never the secret. `systems` is {"*"} for
// every system.
struct KeyView {
  std::string id;
  std::string role;  // "viewer", "operator", "admin"
  std::vector<std::string> systems;
};

struct ModuleHealth {
  std::string module_id;
  bool connected = false;
  std::string state;  // running, restarting, failed…
};

// `failed` counts modules that stopped retrying and need a person.
struct HealthView {
  std::vector<ModuleHealth> modules;
  int connected = 0;
  int failed = 0;
};

}  // namespace roomd
