#include "runtime/plugin_library.hpp"

#include "runtime/sdk/plugin_abi.hpp"

#include <dlfcn.h>

#include <stdexcept>

namespace roomd {

PluginLibrary::PluginLibrary(const std::string& path) : path_(path) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_)
    throw std::runtime_error("cannot load driver plugin " + path + ": " + dlerror() +
                             " (check the path and that it was built for this roomd)");
  auto fail = [&](const std::string& why) {
    dlclose(handle_);
    handle_ = nullptr;
    throw std::runtime_error("driver plugin " + path + ": " + why);
  };
  auto* header = static_cast<const PluginHeader*>(dlsym(handle_, "roomd_plugin_header"));
  if (!header || header->magic != kPluginMagic)
    fail("not a roomd driver plugin (no roomd_plugin_header; use ROOMD_DRIVER_PLUGIN)");
  if (header->abi_version != kDriverAbiVersion)
    fail("built for driver ABI " + std::to_string(header->abi_version) + " (roomd " +
         header->roomd_version + "), this roomd " + kVersion + " needs ABI " +
         std::to_string(kDriverAbiVersion) + "; rebuild the plugin against this roomd's headers");
  if (header->gcc_major != __GNUC__ || header->cxx11_abi != _GLIBCXX_USE_CXX11_ABI)
    fail("built with g++ " + std::to_string(header->gcc_major) + ", this roomd with g++ " +
         std::to_string(__GNUC__) + "; rebuild the plugin with the same compiler");
  register_ =
      reinterpret_cast<void (*)(DriverRegistration*)>(dlsym(handle_, "roomd_plugin_register"));
  if (!register_) fail("no roomd_plugin_register entry point (use ROOMD_DRIVER_PLUGIN)");
}

PluginLibrary::~PluginLibrary() {
  // Drivers created from the plugin are gone by now, but their registration's functions
  // live in the library's code: the registry drops registrations before libraries.
  if (handle_) dlclose(handle_);
}

DriverRegistration PluginLibrary::registration() const {
  DriverRegistration registration;
  register_(&registration);
  registration.origin = path_;
  return registration;
}

}  // namespace roomd
