// Sensors that are the generic Modbus sensor with a preset register map.
#pragma once

#include "drivers/modbus_sensor/modbus_sensor.hpp"

namespace roomd::modbus {

// Senseair S8 CO2 sensor: input register 3 is CO2 in ppm, input register 0 the meter status
// bits. Its default unit id is 104 (0x68); the sensor also answers the "any address" 0xFE,
// but libmodbus only sends unit ids 1-247, so the real address is configured.
class SenseairS8 final : public ModbusSensor {
 public:
  static DriverInfo info();
  static void expose(Methods<SenseairS8>& m) { expose_common(m); }
};

// XY-MD02 temperature and humidity sensor: input registers 1 and 2, signed tenths.
class XyMd02 final : public ModbusSensor {
 public:
  static DriverInfo info();
  static void expose(Methods<XyMd02>& m) { expose_common(m); }
};

}  // namespace roomd::modbus
