// The drivers compiled into roomd: one line per driver.
#include "drivers/extron_sis/extron_sis.hpp"
#include "drivers/modbus_sensor/modbus_sensor.hpp"
#include "drivers/modbus_sensor/preset_sensors.hpp"
#include "drivers/pjlink/pjlink.hpp"
#include "drivers/room/room.hpp"
#include "drivers/samsung_mdc/samsung_mdc.hpp"
#include "drivers/sony_bravia/sony_bravia.hpp"
#include "runtime/driver_registry.hpp"

namespace roomd {

void register_builtin_drivers(DriverRegistry& registry) {
  registry.add(make_registration<pjlink::Pjlink>());
  registry.add(make_registration<extron::ExtronSis>());
  registry.add(make_registration<room::Room>());
  registry.add(make_registration<modbus::ModbusSensor>());
  registry.add(make_registration<modbus::SenseairS8>());
  registry.add(make_registration<modbus::XyMd02>());
  registry.add(make_registration<samsung_mdc::SamsungMdc>());
  registry.add(make_registration<sony_bravia::SonyBravia>());
}

}  // namespace roomd
