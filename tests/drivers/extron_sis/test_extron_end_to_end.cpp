// The Extron SIS driver inside a real runtime against the simulator, end to end: over TCP with
// the password login, and over a pty as RS-232. Its behaviour byte by byte is in the
// transcripts (test_extron_driver.cpp, test_extron_link.cpp).
#include "drivers/extron_sis/extron_simulator.hpp"
#include "tests/support/driver_fixture.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace roomd;
namespace ex = roomd::extron;
using Lines = std::vector<std::string>;

namespace {

const std::string kVerbose =
    "\x1b"
    "3CV\r";

struct Switcher : test::SimulatedDevice<ex::ExtronSimulator>, test::DriverUnderTest {
  Switcher(const ex::SimulatorOptions& sim, const Json& settings, bool serial)
      : SimulatedDevice(sim),
        DriverUnderTest(io, dir.path(),
                        {"extron_sis", "mod-sw", "Switcher", settings,
                         test::simulator_line(simulator, serial)}) {}

  // Online, with verbose mode 3 set (its answer has come back).
  void require_online() {
    REQUIRE(test::run_until(io, [&] {
      return connected() && test::count_of(simulator.received(), kVerbose) == 1 &&
             module().queue_depth() == 0;
    }));
  }
};

ex::SimulatorOptions eight_by_four() {
  ex::SimulatorOptions o;
  o.inputs = 8;
  o.outputs = 4;
  return o;
}

}  // namespace

TEST_CASE("extron_sis: end to end over TCP: login, ties, a front-panel tie",
          "[extron][simulator]") {
  auto sim = eight_by_four();
  sim.password = "Extr0n-Admin!";
  Switcher s(sim, {{"password", sim.password}, {"outputs", 4}, {"keepalive_every", "1h"}}, false);
  s.require_online();
  CHECK(s.simulator.received() == Lines{sim.password + "\r", kVerbose});
  CHECK(s.logged(LogLevel::info, "logged in as Administrator").size() == 1);
  auto [value, error] = s.exec("tie", Json::array({3, 2, "video"}));
  CHECK(error.empty());
  CHECK(value == Json{{"video", 3}});
  CHECK(s.simulator.device().video_tie(2) == 3);
  s.simulator.front_panel_tie(6, 1, '$');
  REQUIRE(s.wait_for("ties", {{"1", {{"audio", 6}}}, {"2", {{"video", 3}}}}));
  std::tie(value, error) = s.exec("tie", Json::array({9, 1}));
  CHECK_THAT(error, Catch::Contains("E01"));
  CHECK(s.logged(LogLevel::warn, "").empty());
}

TEST_CASE("extron_sis: end to end over a pty: online after login_wait, commands at once",
          "[extron][simulator][serial]") {
  Switcher s(eight_by_four(), {{"login_wait", "100ms"}, {"outputs", 4}, {"keepalive_every", "1h"}},
             true);
  s.require_online();
  CHECK(s.state("device").is_null());  // no banner on the serial port
  auto [value, error] = s.exec("switch_to", Json::array({4}));
  CHECK(error.empty());
  CHECK(value == 4);
  CHECK(s.simulator.device().video_tie(3) == 4);
  std::tie(value, error) = s.exec("volume", Json::array({25}));
  CHECK(value == 25);
  CHECK(s.simulator.device().volume() == 25);
  CHECK(s.simulator.received() == Lines{kVerbose, "4!", "25V"});
  CHECK(s.logged(LogLevel::warn, "").empty());
}
