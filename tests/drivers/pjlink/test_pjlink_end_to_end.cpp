// The PJLink driver inside a real runtime against the simulator on an ephemeral port, end to
// end over TCP: authentication, polling and a method. Its behaviour byte by byte is in the
// transcripts (test_pjlink_driver.cpp).
#include "drivers/pjlink/pjlink_simulator.hpp"
#include "tests/support/driver_fixture.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace roomd;
using namespace std::chrono_literals;
namespace pj = roomd::pjlink;

namespace {

constexpr const char* kProjectorPassword = "JBMIAProjectorLink";

struct Projector : test::SimulatedDevice<pj::PjlinkSimulator>, test::DriverUnderTest {
  // `extra` settings go over the usual ones.
  explicit Projector(const Json& extra = Json::object())
      : SimulatedDevice(simulator_options()), DriverUnderTest(io, dir.path(), spec(extra)) {}

  static pj::SimulatorOptions simulator_options() {
    pj::SimulatorOptions sim;
    sim.port = 0;
    sim.password = kProjectorPassword;
    sim.idle_timeout = 0ms;
    sim.warmup = 50ms;
    sim.cooldown = 50ms;
    sim.name = "Room 101 Projector";
    return sim;
  }

  // Starts the simulator on an ephemeral port and says how the module reaches it.
  test::DriverSpec spec(const Json& extra) {
    Json settings = {{"poll_every", "100ms"}, {"password", kProjectorPassword}};
    settings.update(extra);
    return {"pjlink", "mod-proj", "Projector", settings, test::loopback_tcp(simulator.start())};
  }
};

}  // namespace

TEST_CASE("end to end: the driver authenticates with the simulator and polls it",
          "[pjlink][driver]") {
  Projector p;
  REQUIRE(
      test::run_until(p.io, [&] { return p.connected() && p.state("power_state").is_string(); }));
  CHECK(p.state("power_state") == "standby");
  // The simulator strips a valid-looking digest; the first line is the command it rode on.
  auto lines = p.simulator.received();
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.front() == "%1POWR ?");
  CHECK(p.logged(LogLevel::error, "").empty());
  CHECK(p.logged(LogLevel::info, "authenticated").size() == 1);
  auto [value, error] = p.exec("power", Json::array({true}));
  CHECK(error.empty());
  CHECK(value == true);
  // The poll sees the projector warm up, then asks for its input too.
  REQUIRE(p.wait_for("power_state", "on", 5s));
  REQUIRE(p.wait_for("input", "rgb1", 5s));
  CHECK(p.simulator.connections() == 1);
  CHECK(p.connected_true == 1);
}

TEST_CASE("end to end: the simulator's lamp error is an alert until the projector reports ok",
          "[pjlink][driver][alerts]") {
  Projector p(Json{{"errors_every", "100ms"}});
  REQUIRE(test::run_until(p.io, [&] { return p.connected(); }));
  auto& alerts = p.runtime->alerts();
  p.simulator.set_errors("020010");
  REQUIRE(test::run_until(p.io, [&] {
    return alerts.find("driver/mod-proj/lamp") && alerts.find("driver/mod-proj/filter");
  }));
  auto lamp = *alerts.find("driver/mod-proj/lamp");
  CHECK(lamp.severity == AlertSeverity::high);
  CHECK(lamp.title == "Projector_1 (mod-proj): lamp error: replace the lamp");
  CHECK(lamp.module == "mod-proj");
  CHECK(lamp.sys == "sys-1");
  CHECK(alerts.find("driver/mod-proj/filter")->severity == AlertSeverity::medium);
  p.simulator.set_errors("000000");
  REQUIRE(test::run_until(p.io, [&] { return alerts.active().empty(); }));
}
