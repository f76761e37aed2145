// SIGHUP: reads the config file again and applies what changed to the running box, keeping
// the connections: a file with problems is refused as a whole (each problem logged with its
// JSON path) and the box runs on as it was. What only a restart applies is named in the log.
#pragma once

#include "runtime/log.hpp"

#include <optional>
#include <string>

namespace roomd {

class ApiServer;
class DriverRegistry;
class Runtime;
class StoreAndForward;

class ConfigReload {
 public:
  // `state_dir` is the --state-dir that overrides the file's, if one was given.
  ConfigReload(std::string path, std::optional<std::string> state_dir, DriverRegistry& registry,
               Runtime& runtime, ApiServer& api, StoreAndForward& upstream);

  // On the event loop. True when the new config was applied (or changed nothing).
  bool run();

 private:
  std::string path_;
  std::optional<std::string> state_dir_;
  DriverRegistry& registry_;
  Runtime& runtime_;
  ApiServer& api_;
  StoreAndForward& upstream_;
  Logger log_;
};

}  // namespace roomd
