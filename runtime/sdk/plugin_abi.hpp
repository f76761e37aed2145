// The contract between roomd and a driver plugin (.so): a header checked before anything
// else in the library runs, and one entry point that returns the driver's registration.
// Bump kDriverAbiVersion whenever a header of the driver SDK changes shape: runtime/sdk/
// (alert_severity, command, driver, driver_info, errors, logger, methods, plugin_abi,
// printable, registration, subscription, version) and the transports headers it includes
// (modbus_request, modbus_types, tokenizer). The example plugin is built against these alone.
#pragma once

#include "runtime/sdk/registration.hpp"
#include "runtime/sdk/version.hpp"

#include <cstdint>

namespace roomd {

inline constexpr std::uint32_t kDriverAbiVersion = 5;
inline constexpr std::uint32_t kPluginMagic = 0x524f4f4d;  // "ROOM"

struct PluginHeader {
  std::uint32_t magic;
  std::uint32_t abi_version;
  const char* roomd_version;  // headers the plugin was built against
  std::uint32_t gcc_major;    // C++ ABI: the same compiler family and library ABI
  std::uint32_t cxx11_abi;
};

}  // namespace roomd

#ifndef ROOMD_PLUGIN_ABI
#define ROOMD_PLUGIN_ABI ::roomd::kDriverAbiVersion
#endif

// Put once in a plugin's source file, with the driver class.
#define ROOMD_DRIVER_PLUGIN(DriverClass)                                                   \
  extern "C" __attribute__((visibility("default")))                                        \
  const ::roomd::PluginHeader roomd_plugin_header{::roomd::kPluginMagic, ROOMD_PLUGIN_ABI, \
                                                  ROOMD_VERSION_STRING, __GNUC__,          \
                                                  _GLIBCXX_USE_CXX11_ABI};                 \
  extern "C" __attribute__((visibility("default"))) void roomd_plugin_register(            \
      ::roomd::DriverRegistration* out) {                                                  \
    *out = ::roomd::make_registration<DriverClass>();                                      \
  }
