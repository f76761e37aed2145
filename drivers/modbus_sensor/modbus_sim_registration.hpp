// `roomd simulate modbus`: the simulator's command-line options and how it starts,
// collected by drivers/sim/builtin_simulators.cpp.
#pragma once

#include "drivers/sim/simulator_registry.hpp"

namespace roomd::modbus {

sim::SimulatorRegistration simulator_registration();

}  // namespace roomd::modbus
