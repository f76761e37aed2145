// `roomd simulate extron_sis`: the Extron SIS simulator's command-line options and how it
// starts, collected by drivers/sim/builtin_simulators.cpp.
#pragma once

#include "drivers/sim/simulator_registry.hpp"

namespace roomd::extron {

sim::SimulatorRegistration simulator_registration();

}  // namespace roomd::extron
