// The drivers compiled into roomd: one line per driver.
#include "drivers/modbus_sensor/modbus_sensor.hpp"
#include "drivers/modbus_sensor/preset_sensors.hpp"
#include "drivers/pjlink/pjlink.hpp"
#include "runtime/driver_registry.hpp"

namespace roomd {

void register_builtin_drivers(DriverRegistry& registry) {
  registry.add(make_registration<pjlink::Pjlink>());
  registry.add(make_registration<modbus::ModbusSensor>());
  registry.add(make_registration<modbus::SenseairS8>());
  registry.add(make_registration<modbus::XyMd02>());
}

}  // namespace roomd
