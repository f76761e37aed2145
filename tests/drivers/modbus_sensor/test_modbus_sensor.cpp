// Modbus sensors through the runtime: TCP and RTU reads reach the state store, deadband
// and change-only publishing, a dead slave among live ones, exception replies as errors.
#include "drivers/modbus_sensor/modbus_simulator.hpp"
#include "main/device_links.hpp"
#include "runtime/runtime.hpp"
#include "tests/support/exec.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace std::chrono_literals;

namespace {

ModbusBusConfig fast_bus() {
  ModbusBusConfig bus;
  bus.timeout = 100ms;
  bus.breaker_after = 2;
  bus.breaker_retry = 400ms;
  return bus;
}

struct SensorBox {
  asio::io_context io;
  test::TempDir dir;
  modbus::Simulator sim;
  DriverRegistry registry;
  Config config;
  std::unique_ptr<Runtime> runtime;
  std::vector<std::string> warnings;
  std::vector<Subscription> log_subs;

  explicit SensorBox(bool rtu = false) : sim(modbus::Simulator::Options{.rtu = rtu}) {
    register_builtin_drivers(registry);
    sim.start();
    config.box = {"box", "box", dir.path()};
    config.log_level = LogLevel::fatal;
  }

  void add(const std::string& id, const std::string& driver, int unit, Json settings = {}) {
    ModuleConfig module{id,
                        driver,
                        "Sensor",
                        {},
                        settings.is_null() ? Json::object() : settings,
                        {},
                        "modules[" + std::to_string(config.modules.size()) + "]"};
    if (!sim.device_path().empty()) {
      ModbusRtuConfig rtu;
      rtu.port.path = sim.device_path();
      rtu.unit = unit;
      rtu.bus = fast_bus();
      module.transport = rtu;
    } else {
      ModbusTcpConfig tcp;
      tcp.host = "127.0.0.1";
      tcp.port = sim.port();
      tcp.unit = unit;
      tcp.bus = fast_bus();
      module.transport = tcp;
    }
    config.modules.push_back(module);
  }

  void start() {
    auto problems = check_modules(config, registry);
    for (const auto& p : problems) FAIL(p.text());
    runtime = std::make_unique<Runtime>(io, config, registry, make_device_links());
    runtime->logs().set_stderr(false);
    for (const auto& m : config.modules)
      log_subs.push_back(runtime->logs().subscribe(
          m.id, LogLevel::warn, [this](const LogRecord& r) { warnings.emplace_back(r.message); }));
    runtime->start();
  }

  ~SensorBox() {
    if (runtime) {
      runtime->stop();
      io.run_for(50ms);
    }
  }

  Json state(const std::string& module, const std::string& name) {
    return runtime->state().get(module, name).value_or(Json(nullptr));
  }
  bool wait_state(const std::string& module, const std::string& name, const Json& value,
                  std::chrono::milliseconds timeout = 5s) {
    return test::run_until(
        io, [&] { return state(module, name) == value; }, timeout);
  }
  std::pair<Json, std::string> exec(const std::string& module, std::string method, Json args) {
    return test::exec_and_wait(io, *runtime->modules().module(module), method, std::move(args));
  }
};

}  // namespace

TEST_CASE("XY-MD02 over Modbus TCP: temperature and humidity reach the state store",
          "[modbus][sensor]") {
  SensorBox box;
  box.sim.add_unit(1);
  box.sim.set_value(1, modbus::Table::input_register, 1, 0x0131);  // 30.5 °C
  box.sim.set_value(1, modbus::Table::input_register, 2, 0x0222);  // 54.6 %RH
  box.add("mod-temp", "xy_md02", -1);
  box.start();
  REQUIRE(box.wait_state("mod-temp", "temperature", 30.5));
  CHECK(box.state("mod-temp", "humidity") == 54.6);
  CHECK(box.state("mod-temp", "connected") == true);
}

TEST_CASE("Senseair S8 over Modbus RTU on a pseudo-terminal: CO2 in ppm", "[modbus][sensor]") {
  SensorBox box(/*rtu=*/true);
  box.sim.add_unit(104);
  box.sim.set_value(104, modbus::Table::input_register, 3, 904);
  box.sim.set_value(104, modbus::Table::input_register, 0, 0);
  box.add("mod-co2", "senseair_s8", -1);  // the driver's default unit, 104
  box.start();
  REQUIRE(box.wait_state("mod-co2", "co2", 904));
  CHECK(box.state("mod-co2", "sensor_status") == 0);
}

TEST_CASE("a dead slave among three live ones: the live ones keep their rate", "[modbus][sensor]") {
  SensorBox box;
  auto map = Json::parse(R"({"registers": [
      {"name": "v", "table": "input", "address": 0, "every": "50ms"}]})");
  for (int unit : {1, 2, 3, 4}) {
    box.sim.add_unit(unit);
    box.sim.set_value(unit, modbus::Table::input_register, 0, 100 + unit);
    box.add("mod-" + std::to_string(unit), "modbus_sensor", unit, map);
  }
  box.sim.set_dead(3, true);
  box.start();
  REQUIRE(box.wait_state("mod-1", "v", 101));
  REQUIRE(box.wait_state("mod-4", "v", 104));
  // Once the breaker has tripped, the dead slave costs one probe per breaker_retry (400 ms)
  // while the live ones keep their 50 ms rate. Without the breaker every dead poll would
  // hold the bus for a 100 ms timeout.
  REQUIRE(test::run_until(box.io, [&] { return box.sim.requests(3) >= 2; }));
  REQUIRE(box.state("mod-3", "connected") == false);
  auto start = Clock::now();
  auto live_before = box.sim.requests(1);
  auto dead_before = box.sim.requests(3);
  REQUIRE(test::run_until(box.io, [&] { return box.sim.requests(1) >= live_before + 15; }));
  auto elapsed = Clock::now() - start;
  auto dead_polls = box.sim.requests(3) - dead_before;
  CHECK(dead_polls <= 2 + static_cast<std::uint64_t>(elapsed / 400ms));
  CHECK(box.state("mod-2", "connected") == true);
  CHECK(box.state("mod-4", "v") == 104);

  box.sim.set_dead(3, false);
  REQUIRE(box.wait_state("mod-3", "v", 103, 3s));
  REQUIRE(box.wait_state("mod-3", "connected", true));
}

TEST_CASE("exception replies become clear errors naming slave and register", "[modbus][sensor]") {
  SensorBox box;
  box.sim.add_unit(7);
  box.add("mod-x", "modbus_sensor", 7, Json::parse(R"({"registers": [
      {"name": "setpoint", "table": "holding", "address": 40, "every": "1h"},
      {"name": "t", "table": "input", "address": 1, "every": "1h"}]})"));
  box.start();
  REQUIRE(box.wait_state("mod-x", "connected", true));
  box.sim.set_exception(7, 2);
  auto [value, error] = box.exec("mod-x", "read", Json::array({"setpoint"}));
  CHECK_THAT(error, Catch::Contains("unit 7"));
  CHECK_THAT(error, Catch::Contains("illegal data address (exception 2)"));
  CHECK_THAT(error, Catch::Contains("holding register 40"));
  box.sim.set_exception(7, 0);
  std::tie(value, error) = box.exec("mod-x", "write", Json::array({"setpoint", 215}));
  CHECK(error.empty());
  CHECK(box.sim.value(7, modbus::Table::holding_register, 40) == 215);
  CHECK(box.state("mod-x", "setpoint") == 215);
  std::tie(value, error) = box.exec("mod-x", "write", Json::array({"t", 1}));
  CHECK(error ==
        "register \"t\" is in the input table, which is read-only; only holding registers and "
        "coils are written");
  std::tie(value, error) = box.exec("mod-x", "read", Json::array({"nope"}));
  CHECK(error == "no register \"nope\" in the register map of mod-x (it has: setpoint, t)");
}
