#include "drivers/modbus_sensor/preset_sensors.hpp"

namespace roomd::modbus {

DriverInfo SenseairS8::info() {
  auto info =
      base_info("senseair_s8", "Senseair S8 CO2 sensor (Modbus RTU, unit 104)", Json::parse(R"([
      {"name": "co2", "table": "input", "address": 3, "type": "u16", "unit": "ppm", "every": "5s"},
      {"name": "sensor_status", "table": "input", "address": 0, "type": "u16", "every": "5s"}
  ])"));
  info.default_unit = 104;
  info.status = {{"co2", "integer", "CO2 concentration in ppm"},
                 {"sensor_status", "integer", "meter status bits (0: no error)"}};
  return info;
}

DriverInfo XyMd02::info() {
  auto info =
      base_info("xy_md02", "XY-MD02 temperature and humidity sensor (Modbus RTU)", Json::parse(R"([
      {"name": "temperature", "table": "input", "address": 1, "type": "s16", "scale": 0.1,
       "unit": "°C", "every": "5s", "deadband": 0.1},
      {"name": "humidity", "table": "input", "address": 2, "type": "s16", "scale": 0.1,
       "unit": "%RH", "every": "5s", "deadband": 0.5}
  ])"));
  info.status = {{"temperature", "number", "°C"}, {"humidity", "number", "%RH"}};
  return info;
}

}  // namespace roomd::modbus
