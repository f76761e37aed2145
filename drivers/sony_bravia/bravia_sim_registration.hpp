// `roomd simulate sony_bravia`: the simulator's command-line options and how it starts,
// collected by drivers/sim/builtin_simulators.cpp.
#pragma once

#include "drivers/sim/simulator_registry.hpp"

namespace roomd::sony_bravia {

sim::SimulatorRegistration simulator_registration();

}  // namespace roomd::sony_bravia
