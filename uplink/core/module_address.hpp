// How clients name a module and a variable: "Display_2" is the second Display of a system,
// and an alias "sys-101/Display_1/power" one status variable (or method) of one module.
#pragma once

#include "uplink/core/caller.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace roomd {

// "Display_2" -> ("Display", 2); a name without a numeric suffix is index 1.
std::pair<std::string, int> split_module_name(std::string_view text);

struct Alias {
  Target target;
  std::string name;
};

// "<sys>/<Mod>_<index>/<name>"; nullopt unless it has exactly three non-empty parts.
std::optional<Alias> parse_alias(std::string_view text);

}  // namespace roomd
