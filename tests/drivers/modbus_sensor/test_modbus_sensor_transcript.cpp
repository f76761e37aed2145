// Modbus sensor drivers as transcripts on a fake bus, in order: the requests a register map
// makes, the answers that reach the state store, deadband, reads and writes by name, and the
// bus's errors as method errors. The bus itself (timeouts, breaker, RTU bytes) is tested
// against the simulator in test_modbus_sensor.cpp and test_rtu_transcript.cpp.
#include "tests/support/transcript.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using test::bits_read;
using test::registers_read;

namespace {

struct Sensor : test::Transcript {
  explicit Sensor(const std::string& driver, Json settings = Json::object())
      : Transcript(driver, settings, std::make_shared<test::FakeModbusBus>()) {}
};

const char* kSetpointMap = R"({"registers": [
    {"name": "setpoint", "table": "holding", "address": 40, "every": "1h"},
    {"name": "t", "table": "input", "address": 1, "every": "1h"},
    {"name": "relay", "table": "coil", "address": 3, "every": "1h"}]})";

}  // namespace

TEST_CASE("XY-MD02: one read of two input registers becomes temperature and humidity",
          "[modbus][sensor]") {
  Sensor s("xy_md02");
  s.should_request("unit 1 read input 1 x2")
      .bus_responds(registers_read({0x0131, 0x0222}))
      .expect_status("temperature", 30.5)
      .expect_status("humidity", 54.6)
      .expect_status("connected", true);
}

TEST_CASE("Senseair S8: CO2 and meter status from their input registers", "[modbus][sensor]") {
  Sensor s("senseair_s8");
  s.should_request("unit 1 read input 0 x1")
      .bus_responds(registers_read({0}))
      .should_request("unit 1 read input 3 x1")
      .bus_responds(registers_read({904}))
      .expect_status("co2", 904)
      .expect_status("sensor_status", 0);
}

TEST_CASE("deadband: small changes are not published, larger ones are", "[modbus][sensor]") {
  Sensor s("modbus_sensor", Json::parse(R"({"registers": [
      {"name": "t", "table": "input", "address": 1, "type": "s16", "scale": 0.1,
       "every": "1h", "deadband": 0.5}]})"));
  s.should_request("unit 1 read input 1 x1")
      .bus_responds(registers_read({200}))
      .expect_status("t", 20);
  int changes = 0;
  auto sub = s.store.subscribe("mod-test", "t",
                               [&](std::string_view, std::string_view, const Json&) { ++changes; });
  // +0.3 is inside the deadband; +0.6 from the published 20 is not; the same again is no change.
  s.exec("read", {"t"})
      .should_request("unit 1 read input 1 x1")
      .bus_responds(registers_read({203}))
      .expect_status("t", 20)
      .exec("read", {"t"})
      .bus_responds(registers_read({206}))
      .expect_status("t", 20.6)
      .exec("read", {"t"})
      .bus_responds(registers_read({206}));
  CHECK(changes == 1);
}

TEST_CASE("reads and writes by register name", "[modbus][sensor]") {
  Sensor s("modbus_sensor", Json::parse(kSetpointMap));
  // The first polls, one per table, in table order.
  s.should_request("unit 1 read coil 3 x1")
      .bus_responds(bits_read({0}))
      .should_request("unit 1 read input 1 x1")
      .bus_responds(registers_read({7}))
      .should_request("unit 1 read holding 40 x1")
      .bus_responds(registers_read({200}))
      .expect_status("setpoint", 200)
      .expect_status("t", 7)
      .expect_status("relay", 0)
      .exec("write", {"setpoint", 215})
      .should_request("unit 1 write holding 40 [215]")
      .bus_responds(test::write_done())
      .expect_result(215)
      .expect_status("setpoint", 215)
      .exec("write", {"relay", true})
      .should_request("unit 1 write coil 3 [1]")
      .bus_responds(test::write_done())
      .expect_result(true)
      .expect_status("relay", 1)
      .exec("read", {"relay"})
      .should_request("unit 1 read coil 3 x1")
      .bus_responds(bits_read({0}))
      .expect_result(0)
      .exec("write", {"t", 1})
      .expect_error({"register \"t\" is in the input table, which is read-only; only holding "
                     "registers and coils are written"})
      .exec("read", {"nope"})
      .expect_error({"no register \"nope\" in the register map of mod-test (it has: setpoint, t, "
                     "relay)"})
      .exec("write", {"setpoint", "warm"})
      .expect_error({"takes a number"});
  CHECK(s.bus_waiting() == 0);
}

TEST_CASE("the bus's errors become method errors and one warning per outage", "[modbus][sensor]") {
  Sensor s("modbus_sensor", Json::parse(kSetpointMap));
  const std::string refused =
      "unit 1: illegal data address (exception 2) reading holding register 40";
  s.should_request("unit 1 read coil 3 x1")
      .bus_responds(bits_read({1}))
      .should_request("unit 1 read input 1 x1")
      .bus_responds(registers_read({7}))
      .should_request("unit 1 read holding 40 x1")
      .bus_responds(test::slave_exception(2, refused))
      .expect_log(LogLevel::warn, {"exception 2", "holding register 40"})
      .exec("read", {"setpoint"})
      .should_request("unit 1 read holding 40 x1")
      .bus_responds(test::slave_exception(2, refused))
      .expect_error({"illegal data address (exception 2)", "holding register 40"});
  CHECK(s.module->run_state() == ModuleRunState::running);
}

TEST_CASE("a bus that answers fewer values than asked is a clear error naming the register",
          "[modbus][sensor]") {
  Sensor s("modbus_sensor", Json::parse(R"({"registers": [
      {"name": "energy", "table": "input", "address": 10, "type": "u32", "every": "1h"},
      {"name": "door", "table": "discrete_input", "address": 2, "every": "1h"}]})"));
  // The poll of each group gets one value short: a warning, and nothing published.
  s.should_request("unit 1 read discrete_input 2 x1")
      .bus_responds(bits_read({}))
      .expect_log(LogLevel::warn, {"mod-test: the bus answered 0 of the 1 values",
                                   "register \"door\" (discrete_input 2)", "check the unit id"})
      .should_request("unit 1 read input 10 x2")
      .bus_responds(registers_read({0x0001}))
      .expect_log(LogLevel::warn,
                  {"answered 1 of the 2 values that register \"energy\" (input 10) needs"})
      .expect_status("energy", nullptr)
      .expect_status("door", nullptr)
      // A read by name fails with the same words instead of an exception from the library.
      .exec("read", {"energy"})
      .should_request("unit 1 read input 10 x2")
      .bus_responds(registers_read({}))
      .expect_error({"mod-test: the bus answered 0 of the 2 values that register \"energy\" "
                     "(input 10) needs; check the unit id"})
      .exec("read", {"door"})
      .should_request("unit 1 read discrete_input 2 x1")
      .bus_responds(bits_read({}))
      .expect_error({"register \"door\" (discrete_input 2)"})
      // A whole answer reads as before.
      .exec("read", {"energy"})
      .should_request("unit 1 read input 10 x2")
      .bus_responds(registers_read({0x0001, 0x0002}))
      .expect_result(65538)
      .expect_status("energy", 65538);
  CHECK(s.module->run_state() == ModuleRunState::running);
}
