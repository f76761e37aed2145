#include "drivers/sim/simulator_registry.hpp"

namespace roomd::sim {

const SimulatorOption* SimulatorRegistration::option(std::string_view option_name) const {
  for (const auto& o : options)
    if (o.name == option_name) return &o;
  return nullptr;
}

void SimulatorRegistry::add(SimulatorRegistration registration) {
  auto name = registration.name;
  simulators_.insert_or_assign(std::move(name), std::move(registration));
}

const SimulatorRegistration* SimulatorRegistry::find(std::string_view name) const {
  if (auto it = simulators_.find(name); it != simulators_.end()) return &it->second;
  for (const auto& [_, registration] : simulators_)
    if (registration.driver == name) return &registration;
  return nullptr;
}

std::vector<const SimulatorRegistration*> SimulatorRegistry::all() const {
  std::vector<const SimulatorRegistration*> out;
  for (const auto& [_, registration] : simulators_) out.push_back(&registration);
  return out;
}

}  // namespace roomd::sim
