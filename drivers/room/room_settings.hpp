// The room driver's settings: which switcher input and display inputs each source uses, and
// which switcher output feeds each display. Parsed once, checked by `roomd check-config`
// before anything starts, so a typo is reported with its settings path, not at 2 a.m.
#pragma once

#include "base/json.hpp"
#include "runtime/sdk/driver_info.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd::room {

struct SourceRoute {
  std::optional<int> switcher_input;          // switcher input the source is wired to
  std::map<std::string, std::string> inputs;  // "Display_1" -> the display's input name
};

struct RoomSettings {
  std::map<std::string, SourceRoute> sources;  // by source name ("laptop")
  std::map<std::string, int> outputs;          // "Display_1" -> switcher output feeding it
};

// "Display_1": a module name and its 1-based index in the system, the way clients name it.
bool is_device_key(std::string_view key);

// Reads `sources` and `outputs` from the module's (merged) settings. Every problem is
// appended with a path relative to the settings ("sources.laptop.switcher_input").
RoomSettings parse_room_settings(const Json& settings, std::vector<SettingsProblem>& problems);

}  // namespace roomd::room
