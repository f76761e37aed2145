// The drivers compiled into roomd: one line per driver.
#include "drivers/pjlink/pjlink.hpp"
#include "runtime/driver_registry.hpp"

namespace roomd {

void register_builtin_drivers(DriverRegistry& registry) {
  registry.add(make_registration<pjlink::Pjlink>());
}

}  // namespace roomd
