// The JSON value type used for settings, status values and method arguments.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace roomd {
using Json = nlohmann::json;

// JSON text for logs and messages. Device strings may hold invalid UTF-8 (a Latin-1 name);
// they are replaced, never thrown on, so a byte from a device cannot fail a module.
inline std::string to_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}
}  // namespace roomd
