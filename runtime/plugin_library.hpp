// A driver plugin opened with dlopen: the ABI header is checked before the library's
// registration code runs, so a plugin built for another roomd is refused with a message
// that says what to rebuild, instead of crashing the box.
#pragma once

#include "runtime/driver_registry.hpp"

#include <memory>
#include <string>

namespace roomd {

class PluginLibrary {
 public:
  // Opens and checks the library; throws std::runtime_error with an actionable message.
  explicit PluginLibrary(const std::string& path);
  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  DriverRegistration registration() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* handle_ = nullptr;
  void (*register_)(DriverRegistration*) = nullptr;
};

}  // namespace roomd
