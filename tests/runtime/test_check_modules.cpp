// What check-config adds on top of the loader: driver-aware checks of transports, settings
// and Modbus units left to a driver's default.
#include "runtime/module_manager.hpp"

#include <catch2/catch.hpp>

using namespace roomd;

namespace {

std::vector<std::string> problems(const std::string& json) {
  auto loaded = parse_config(json);
  std::vector<std::string> out;
  for (const auto& e : loaded.errors) out.push_back(e.text());
  if (!loaded.config) return out;
  DriverRegistry registry;
  register_builtin_drivers(registry);
  for (const auto& e : check_modules(*loaded.config, registry)) out.push_back(e.text());
  return out;
}

}  // namespace

TEST_CASE("two sensors left on their driver's default unit on one bus are refused", "[check]") {
  CHECK(problems(R"({"box": {"id": "b"}, "modules": [
      {"id": "t1", "driver": "xy_md02", "name": "Sensor",
       "transport": {"modbus_tcp": {"host": "10.0.0.9"}}},
      {"id": "t2", "driver": "xy_md02", "name": "Sensor",
       "transport": {"modbus_tcp": {"host": "10.0.0.9"}}},
      {"id": "t3", "driver": "xy_md02", "name": "Sensor",
       "transport": {"modbus_tcp": {"host": "10.0.0.9", "unit": 2}}},
      {"id": "co2", "driver": "senseair_s8", "name": "Sensor",
       "transport": {"modbus_tcp": {"host": "10.0.0.9", "unit": 1}}}
    ]})") == std::vector<std::string>{
                 "modules[1].transport.modbus_tcp.unit: unit 1 (driver xy_md02's default) on "
                 "modbus tcp 10.0.0.9:502 is already used by modules[0]; set \"unit\" to the "
                 "device's address",
                 "modules[3].transport.modbus_tcp.unit: unit 1 on modbus tcp 10.0.0.9:502 is "
                 "already used by modules[0]; set \"unit\" to the device's address",
             });
}

TEST_CASE("drivers and transports must fit each other", "[check]") {
  CHECK(problems(R"({"box": {"id": "b"}, "modules": [
      {"id": "p", "driver": "pjlink", "name": "Projector",
       "transport": {"modbus_tcp": {"host": "10.0.0.9"}}},
      {"id": "s", "driver": "senseair_s8", "name": "Sensor",
       "transport": {"tcp": {"host": "10.0.0.9", "port": 502}}},
      {"id": "m", "driver": "modbus_sensor", "name": "Sensor",
       "transport": {"modbus_tcp": {"host": "10.0.0.8"}},
       "settings": {"registers": [{"name": "t", "table": "input", "address": 1, "type": "u8"}]}}
    ]})") == std::vector<std::string>{
                 "modules[0].transport: driver pjlink talks a byte protocol: use tcp, udp or "
                 "serial",
                 "modules[1].transport: driver senseair_s8 talks Modbus: use modbus_tcp or "
                 "modbus_rtu",
                 "modules[2].settings.registers[0].type: expected one of u16, s16, u32, s32, "
                 "f32, got \"u8\"",
             });
}
