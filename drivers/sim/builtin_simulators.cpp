// The simulators compiled into roomd: one line per driver folder that ships one.
#include "drivers/extron_sis/extron_sim_registration.hpp"
#include "drivers/modbus_sensor/modbus_sim_registration.hpp"
#include "drivers/pjlink/pjlink_sim_registration.hpp"
#include "drivers/samsung_mdc/mdc_sim_registration.hpp"
#include "drivers/sim/simulator_registry.hpp"
#include "drivers/sony_bravia/bravia_sim_registration.hpp"

namespace roomd::sim {

void register_builtin_simulators(SimulatorRegistry& registry) {
  registry.add(pjlink::simulator_registration());
  registry.add(extron::simulator_registration());
  registry.add(modbus::simulator_registration());
  registry.add(samsung_mdc::simulator_registration());
  registry.add(sony_bravia::simulator_registration());
}

}  // namespace roomd::sim
