#include "drivers/room/room_settings.hpp"

#include <cctype>

namespace roomd::room {
namespace {

constexpr const char* kKeyHint = "use a module name and its index in the system, e.g. Display_1";

bool positive_integer(const Json& value) {
  return value.is_number_integer() && value.get<long long>() >= 1 && value.get<long long>() <= 9999;
}

void parse_source(const std::string& path, const Json& entry, SourceRoute& route,
                  std::vector<SettingsProblem>& problems) {
  if (!entry.is_object()) {
    problems.push_back({path,
                        "expected an object such as {\"switcher_input\": 1, \"inputs\": "
                        "{\"Display_1\": \"hdmi1\"}}, got " +
                            to_text(entry)});
    return;
  }
  const auto problems_before = problems.size();
  for (const auto& [key, value] : entry.items()) {
    auto at = path + "." + key;
    if (key == "switcher_input") {
      if (positive_integer(value))
        route.switcher_input = value.get<int>();
      else
        problems.push_back(
            {at, "expected the switcher input number (1 or more), got " + to_text(value)});
    } else if (key == "inputs") {
      if (!value.is_object()) {
        problems.push_back({at,
                            "expected an object mapping displays to input names, e.g. "
                            "{\"Display_1\": \"hdmi1\"}, got " +
                                to_text(value)});
        continue;
      }
      for (const auto& [device, input] : value.items()) {
        if (!is_device_key(device))
          problems.push_back({at + "." + device, "not a display name: " + std::string(kKeyHint)});
        else if (!input.is_string() || input.get<std::string>().empty())
          problems.push_back({at + "." + device,
                              "expected the display's input name (a non-empty string such as "
                              "\"hdmi1\"), got " +
                                  to_text(input)});
        else
          route.inputs[device] = input.get<std::string>();
      }
    } else {
      problems.push_back({at, "unknown key (a source has switcher_input and inputs)"});
    }
  }
  if (problems.size() == problems_before && !route.switcher_input && route.inputs.empty())
    problems.push_back({path, "the source routes nothing: give it switcher_input, inputs or both"});
}

}  // namespace

bool is_device_key(std::string_view key) {
  auto underscore = key.rfind('_');
  if (underscore == std::string_view::npos || underscore == 0 || underscore + 1 == key.size())
    return false;
  auto digits = key.substr(underscore + 1);
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return digits.front() != '0';
}

RoomSettings parse_room_settings(const Json& settings, std::vector<SettingsProblem>& problems) {
  RoomSettings out;
  const auto& sources = settings.contains("sources") ? settings.at("sources") : Json::object();
  if (!sources.is_object()) {
    problems.push_back(
        {"sources", "expected an object of sources by name, got " + to_text(sources)});
  } else {
    for (const auto& [name, entry] : sources.items()) {
      if (name.empty()) {
        problems.push_back({"sources", "a source has an empty name"});
        continue;
      }
      SourceRoute route;
      parse_source("sources." + name, entry, route, problems);
      out.sources[name] = std::move(route);
    }
  }
  const auto& outputs = settings.contains("outputs") ? settings.at("outputs") : Json::object();
  if (!outputs.is_object()) {
    problems.push_back({"outputs",
                        "expected an object mapping displays to switcher outputs, "
                        "e.g. {\"Display_1\": 1}, got " +
                            to_text(outputs)});
    return out;
  }
  for (const auto& [device, output] : outputs.items()) {
    auto at = "outputs." + device;
    if (!is_device_key(device))
      problems.push_back({at, "not a display name: " + std::string(kKeyHint)});
    else if (!positive_integer(output))
      problems.push_back(
          {at, "expected the switcher output number (1 or more), got " + to_text(output)});
    else
      out.outputs[device] = output.get<int>();
  }
  return out;
}

}  // namespace roomd::room
