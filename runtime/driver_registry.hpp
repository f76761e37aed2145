// The drivers this roomd can run: built-ins registered at startup, and plugins loaded
// from shared libraries named in the config. A module finds its driver here by name.
#pragma once

#include "runtime/sdk/registration.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace roomd {

class PluginLibrary;

class DriverRegistry {
 public:
  DriverRegistry();
  ~DriverRegistry();
  DriverRegistry(const DriverRegistry&) = delete;
  DriverRegistry& operator=(const DriverRegistry&) = delete;

  void add(DriverRegistration registration);
  const DriverRegistration* find(std::string_view name) const;
  std::vector<const DriverRegistration*> all() const;

  // A config's "driver": a registered name, a path to a plugin (contains '/' or ends in
  // .so), or a plugin name found on `driver_path` as lib<name>.so or <name>.so. Loads the
  // plugin once. Returns nullptr and sets `error` when it cannot.
  const DriverRegistration* resolve(const std::string& driver,
                                    const std::vector<std::string>& driver_path,
                                    std::string& error);

 private:
  std::map<std::string, DriverRegistration, std::less<>> drivers_;
  std::map<std::string, std::string, std::less<>> plugin_names_;  // path -> driver name
  std::vector<std::unique_ptr<PluginLibrary>> plugins_;
};

// Registers every driver compiled into roomd (drivers/builtin_drivers.cpp).
void register_builtin_drivers(DriverRegistry& registry);

}  // namespace roomd
