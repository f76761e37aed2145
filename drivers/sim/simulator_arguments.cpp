#include "drivers/sim/simulator_arguments.hpp"

#include "base/units.hpp"

namespace roomd::sim {

void SimulatorArguments::add(const std::string& name, std::string value) {
  values_[name].push_back(std::move(value));
}

bool SimulatorArguments::has(std::string_view name) const {
  return values_.contains(name);
}

std::string SimulatorArguments::text(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? "" : it->second.back();
}

std::vector<std::string> SimulatorArguments::texts(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

int SimulatorArguments::integer(std::string_view name) const {
  auto value = text(name);
  return value.empty() ? 0 : std::stoi(value);
}

Duration SimulatorArguments::duration(std::string_view name) const {
  return parse_duration(text(name)).value_or(Duration::zero());
}

}  // namespace roomd::sim
