// The Sony Bravia driver inside a real runtime against the simulator, end to end: over TCP
// (the poll, the display's idle hang-up and the poll after the reconnect) and over a pty as a
// serial port (methods, notifies, line noise). Its behaviour byte by byte is in the
// transcripts (test_sony_bravia_driver.cpp).
#include "drivers/sony_bravia/bravia_simulator.hpp"
#include "tests/support/driver_fixture.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace roomd;
using namespace std::chrono_literals;
namespace sb = roomd::sony_bravia;
using Frames = std::vector<std::string>;

namespace {

const Frames kPollWhileOn = {"*SEPOWR################\n", "*SEINPT################\n",
                             "*SEVOLU################\n", "*SEAMUT################\n"};

struct Display : test::SimulatedDevice<sb::BraviaSimulator>, test::DriverUnderTest {
  Display(const sb::SimulatorOptions& sim, bool serial)
      : SimulatedDevice(sim), DriverUnderTest(io, dir.path(), spec(simulator, serial)) {}

  static test::DriverSpec spec(sb::BraviaSimulator& simulator, bool serial) {
    auto line = test::simulator_line(simulator, serial);
    if (auto* port = std::get_if<SerialTransportConfig>(&line)) port->line.baud = 9600;
    return {"sony_bravia", "mod-tv", "Display", {{"poll_every", "1h"}}, line};
  }
};

sb::SimulatorOptions powered_on(std::chrono::milliseconds idle_timeout = 0ms) {
  sb::SimulatorOptions o;
  o.powered_on = true;
  o.idle_timeout = idle_timeout;
  return o;
}

}  // namespace

TEST_CASE("sony_bravia: end to end over TCP: the poll, and again after an idle hang-up",
          "[sony_bravia][simulator]") {
  Display d(powered_on(300ms), false);
  REQUIRE(d.wait_for("mute", false));
  CHECK(d.state("input") == "hdmi1");
  // The display hangs up the silent connection; the transport reconnects and polls again.
  REQUIRE(test::run_until(d.io, [&] { return d.connected_true >= 2; }));
  REQUIRE(test::run_until(d.io, [&] { return d.simulator.received().size() >= 8; }));
  auto frames = d.simulator.received();
  CHECK(Frames(frames.begin(), frames.begin() + 4) == kPollWhileOn);
  CHECK(Frames(frames.begin() + 4, frames.begin() + 8) == kPollWhileOn);
  auto [value, error] = d.exec("volume", Json::array({12}));
  CHECK(error.empty());
  CHECK(d.simulator.volume() == 12);
  CHECK(d.module().run_state() == ModuleRunState::running);
}

TEST_CASE("sony_bravia: end to end over a pty: methods, notifies and line noise",
          "[sony_bravia][simulator][serial]") {
  Display d(powered_on(), true);
  REQUIRE(d.wait_for("mute", false));
  d.simulator.set_notify_before_answer(true);
  auto [value, error] = d.exec("switch_to", Json::array({"hdmi4"}));
  CHECK(error.empty());
  CHECK(d.simulator.input() == "hdmi4");
  CHECK(d.state("input") == "hdmi4");
  d.simulator.remote_power(false);
  REQUIRE(d.wait_for("power", false));
  std::tie(value, error) = d.exec("switch_to", Json::array({"hdmi1"}));
  CHECK_THAT(error, Catch::Contains("*SAINPTFFFFFFFFFFFFFFFF"));
  // Three bytes of noise shift the framing of the next answer: the driver reopens the port to
  // realign and asks again.
  d.simulator.send_raw("\xfe\xfe\xfe");
  std::tie(value, error) = d.exec("power?");
  CHECK(error.empty());
  CHECK(value == false);
  CHECK_FALSE(d.logged(LogLevel::warn, "reconnecting to realign").empty());
  CHECK(d.connected_true == 2);
}
