// roomd's version; CMake reads it from here, so this is the one place to change it.
#pragma once

#define ROOMD_VERSION_STRING "0.1.0"

namespace roomd {
inline constexpr const char* kVersion = ROOMD_VERSION_STRING;
}
