#include "drivers/sim/simulator_option.hpp"

#include "base/units.hpp"

#include <algorithm>
#include <charconv>

namespace roomd::sim {
namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

}  // namespace

std::string SimulatorOption::problem(std::string_view value) const {
  switch (kind) {
    case OptionKind::flag:
      return "takes no value";
    case OptionKind::integer: {
      int parsed = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (ec == std::errc() && end == value.data() + value.size() && parsed >= min && parsed <= max)
        return "";
      return "expects " + std::to_string(min) + "-" + std::to_string(max) + ", got " +
             std::string(value);
    }
    case OptionKind::duration:
      if (parse_duration(value)) return "";
      return "expects a duration such as " + (default_value.empty() ? "10s" : default_value) +
             ", got " + std::string(value);
    case OptionKind::text:
      return value.empty() ? "expects a value" : "";
    case OptionKind::choice:
      if (std::find(choices.begin(), choices.end(), value) != choices.end()) return "";
      return "expects one of " + joined(choices) + ", got " + std::string(value);
  }
  return "";
}

std::string SimulatorOption::synopsis() const {
  if (kind == OptionKind::flag) return name;
  return name + " " + (value_name.empty() ? "VALUE" : value_name);
}

SimulatorOption fault_option(std::vector<std::string> names) {
  return {.name = "--fault",
          .kind = OptionKind::choice,
          .default_value = names.front(),
          .help = "misbehave on purpose",
          .value_name = "NAME",
          .choices = std::move(names)};
}

SimulatorOption powered_on_option() {
  return {.name = "--on", .help = "start powered on instead of in standby"};
}

}  // namespace roomd::sim
