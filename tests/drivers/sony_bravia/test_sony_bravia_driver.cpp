// The Sony Bravia driver inside a real runtime against the simulator, as byte-exact
// transcripts: the frames each method sends, the display's answers and notifies, the status
// and results they produce; notifies between a command and its answer, all-F errors, idle
// disconnects, garbage, and the same over a pty as a serial port.
#include "drivers/sony_bravia/bravia_simulator.hpp"
#include "drivers/sony_bravia/sony_bravia.hpp"
#include "tests/support/driver_fixture.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using namespace roomd;
using namespace std::chrono_literals;
namespace sb = roomd::sony_bravia;
using Frames = std::vector<std::string>;

namespace {

struct Options {
  bool serial = false;
  bool powered_on = false;
  std::string poll_every = "1h";  // only the poll after each connect, unless a test wants more
  std::string timeout;            // empty: the driver's default
  std::chrono::milliseconds idle_timeout{0};
};

struct Display : test::SimulatedDevice<sb::BraviaSimulator>, test::DriverUnderTest {
  explicit Display(const Options& options = {})
      : SimulatedDevice(simulator_options(options)),
        DriverUnderTest(io, dir.path(), driver_spec(simulator, dir.path(), options)) {}

  static sb::SimulatorOptions simulator_options(const Options& options) {
    sb::SimulatorOptions sim;
    sim.powered_on = options.powered_on;
    sim.idle_timeout = options.idle_timeout;
    return sim;
  }

  // Opens the simulator's line (TCP, or a pty linked into `dir`) and says how the module
  // reaches it.
  static test::DriverSpec driver_spec(sb::BraviaSimulator& simulator, const std::string& dir,
                                      const Options& options) {
    Json settings = {{"poll_every", options.poll_every}};
    if (!options.timeout.empty()) settings["timeout"] = options.timeout;
    test::DriverSpec spec{"sony_bravia", "mod-tv", "Display", settings, {}};
    if (options.serial) {
      auto link = dir + "/bravia";
      simulator.open_pty(link);
      auto serial = test::pty_serial(link);
      serial.line.baud = 9600;
      spec.transport = serial;
    } else {
      spec.transport = test::loopback_tcp(simulator.listen_tcp());
    }
    return spec;
  }

  std::size_t count_received(const std::string& frame) const {
    return test::count_of(simulator.received(), frame);
  }

  // Connected, the poll after the connect has been answered, and the transcript is empty.
  void require_polled(std::size_t frames) {
    REQUIRE(test::run_until(io, [&] {
      return connected() && simulator.sent().size() == frames && module().queue_depth() == 0;
    }));
    simulator.clear_transcript();
  }
};

}  // namespace

TEST_CASE("sony_bravia: after connecting the driver polls power, input, volume and mute",
          "[sony_bravia]") {
  Display d({.powered_on = true});
  REQUIRE(d.wait_for("mute", false));
  CHECK(d.simulator.received() == Frames{"*SEPOWR################\n", "*SEINPT################\n",
                                         "*SEVOLU################\n", "*SEAMUT################\n"});
  CHECK(d.simulator.sent() == Frames{"*SAPOWR0000000000000001\n", "*SAINPT0000000100000001\n",
                                     "*SAVOLU0000000000000020\n", "*SAAMUT0000000000000000\n"});
  CHECK(d.state("power") == true);
  CHECK(d.state("input") == "hdmi1");
  CHECK(d.state("volume") == 20);
  CHECK(d.logged(LogLevel::warn, "").empty());
}

TEST_CASE("sony_bravia: in standby only power is polled", "[sony_bravia]") {
  Display d;
  REQUIRE(d.wait_for("power", false));
  d.io.run_for(20ms);
  CHECK(d.simulator.received() == Frames{"*SEPOWR################\n"});
  CHECK(d.simulator.sent() == Frames{"*SAPOWR0000000000000000\n"});
  CHECK(d.state("input").is_null());
}

TEST_CASE("sony_bravia: transcript: every method, byte for byte", "[sony_bravia]") {
  Display d;
  d.require_polled(1);

  auto [value, error] = d.exec("power", Json::array({true}));
  CHECK(error.empty());
  CHECK(value == true);
  CHECK(d.simulator.received() == Frames{"*SCPOWR0000000000000001\n"});
  // The answer completes the command; the notify that follows only confirms the status.
  REQUIRE(test::run_until(d.io, [&] { return d.simulator.sent().size() == 2; }));
  CHECK(d.simulator.sent() == Frames{"*SAPOWR0000000000000000\n", "*SNPOWR0000000000000001\n"});
  CHECK(d.state("power") == true);
  CHECK(d.simulator.power());
  d.simulator.clear_transcript();

  std::tie(value, error) = d.exec("switch_to", Json::array({"hdmi2"}));
  CHECK(error.empty());
  CHECK(value == "hdmi2");
  CHECK(d.simulator.received() == Frames{"*SCINPT0000000100000002\n"});
  CHECK(d.simulator.sent().front() == "*SAINPT0000000000000000\n");
  CHECK(d.state("input") == "hdmi2");
  CHECK(d.simulator.input() == "hdmi2");
  d.simulator.clear_transcript();

  std::tie(value, error) = d.exec("switch_to", Json::array({"component1"}));
  CHECK(error.empty());
  CHECK(d.simulator.received() == Frames{"*SCINPT0000000400000001\n"});
  CHECK(d.state("input") == "component1");
  d.simulator.clear_transcript();

  std::tie(value, error) = d.exec("volume", Json::array({30}));
  CHECK(error.empty());
  CHECK(value == 30);
  CHECK(d.simulator.received() == Frames{"*SCVOLU0000000000000030\n"});
  CHECK(d.simulator.sent().front() == "*SAVOLU0000000000000000\n");
  CHECK(d.state("volume") == 30);
  CHECK(d.simulator.volume() == 30);
  d.simulator.clear_transcript();

  std::tie(value, error) = d.exec("mute", Json::array({true}));
  CHECK(error.empty());
  CHECK(value == true);
  CHECK(d.simulator.received() == Frames{"*SCAMUT0000000000000001\n"});
  CHECK(d.simulator.sent().front() == "*SAAMUT0000000000000000\n");
  CHECK(d.state("mute") == true);
  CHECK(d.simulator.muted());
  d.simulator.clear_transcript();

  // Enquiries return the display's value and publish it.
  std::tie(value, error) = d.exec("volume?");
  CHECK(error.empty());
  CHECK(value == 30);
  CHECK(d.simulator.received() == Frames{"*SEVOLU################\n"});
  CHECK(d.simulator.sent() == Frames{"*SAVOLU0000000000000030\n"});
  std::tie(value, error) = d.exec("input?");
  CHECK(value == "component1");
  std::tie(value, error) = d.exec("mute?");
  CHECK(value == true);
  std::tie(value, error) = d.exec("power?");
  CHECK(value == true);
  d.simulator.clear_transcript();

  std::tie(value, error) = d.exec("mute", Json::array({false}));
  CHECK(d.simulator.received() == Frames{"*SCAMUT0000000000000000\n"});
  CHECK(d.state("mute") == false);
  d.simulator.clear_transcript();

  std::tie(value, error) = d.exec("power", Json::array({false}));
  CHECK(error.empty());
  CHECK(value == false);
  CHECK(d.simulator.received() == Frames{"*SCPOWR0000000000000000\n"});
  CHECK(d.state("power") == false);
  CHECK_FALSE(d.simulator.power());
  CHECK(d.logged(LogLevel::warn, "").empty());
}

TEST_CASE("sony_bravia: a notify between a command and its answer does not complete it",
          "[sony_bravia]") {
  Display d({.powered_on = true});
  d.require_polled(4);

  SECTION("the simulator notifies before it answers") {
    d.simulator.set_notify_before_answer(true);
    auto [value, error] = d.exec("switch_to", Json::array({"hdmi3"}));
    CHECK(error.empty());
    CHECK(d.simulator.received() == Frames{"*SCINPT0000000100000003\n"});
    CHECK(d.simulator.sent() == Frames{"*SNINPT0000000100000003\n", "*SAINPT0000000000000000\n"});
    CHECK(d.state("input") == "hdmi3");
  }

  SECTION("a notify of the same command arrives while an enquiry waits") {
    d.simulator.set_fault(sb::Fault::no_answer);
    bool done = false;
    Json result;
    d.module().exec("power?", Json::array(), [&](std::exception_ptr e, Json value) {
      done = !e;
      result = std::move(value);
    });
    REQUIRE(test::run_until(d.io, [&] { return d.simulator.received().size() == 1; }));
    CHECK(d.simulator.received() == Frames{"*SEPOWR################\n"});
    // The user turns it off with the remote: the notify lands first and updates the status.
    d.simulator.send_raw("*SNPOWR0000000000000000\n");
    d.simulator.send_raw("*SNVOLU0000000000000045\n");
    REQUIRE(d.wait_for("volume", 45));
    CHECK(d.state("power") == false);
    CHECK_FALSE(done);
    // Then the answer: it completes the enquiry with its own value.
    d.simulator.send_raw("*SAPOWR0000000000000001\n");
    REQUIRE(test::run_until(d.io, [&] { return done; }));
    CHECK(result == true);
    CHECK(d.state("power") == true);
    CHECK(d.count_received("*SEPOWR################\n") == 1);
  }
}

TEST_CASE("sony_bravia: notify frames from the remote control update the status", "[sony_bravia]") {
  Display d({.powered_on = true});
  d.require_polled(4);
  d.simulator.remote_volume(55);
  REQUIRE(d.wait_for("volume", 55));
  d.simulator.remote_input("hdmi4");
  REQUIRE(d.wait_for("input", "hdmi4"));
  d.simulator.remote_mute(true);
  REQUIRE(d.wait_for("mute", true));
  d.simulator.remote_power(false);
  REQUIRE(d.wait_for("power", false));
  CHECK(d.simulator.sent() == Frames{"*SNVOLU0000000000000055\n", "*SNINPT0000000100000004\n",
                                     "*SNAMUT0000000000000001\n", "*SNPOWR0000000000000000\n"});
  // Notifies are not commands: the driver sent nothing back.
  CHECK(d.simulator.received().empty());
}

TEST_CASE("sony_bravia: an all-F answer is a method error naming the command", "[sony_bravia]") {
  Display d;
  d.require_polled(1);

  SECTION("input in standby") {
    auto [value, error] = d.exec("switch_to", Json::array({"hdmi1"}));
    CHECK(d.simulator.received() == Frames{"*SCINPT0000000100000001\n"});
    CHECK(d.simulator.sent() == Frames{"*SAINPTFFFFFFFFFFFFFFFF\n"});
    CHECK_THAT(error, Catch::Contains("mod-tv") && Catch::Contains("*SAINPTFFFFFFFFFFFFFFFF") &&
                          Catch::Contains("control INPT (input)") &&
                          Catch::Contains("check the display is on"));
    CHECK(d.state("input").is_null());
  }

  SECTION("a display that refuses everything") {
    d.simulator.set_fault(sb::Fault::error_answers);
    auto [value, error] = d.exec("power", Json::array({true}));
    CHECK(d.simulator.received() == Frames{"*SCPOWR0000000000000001\n"});
    CHECK_THAT(error, Catch::Contains("control POWR (power)") && Catch::Contains("refused"));
    CHECK(d.state("power") == false);
    std::tie(value, error) = d.exec("volume?");
    CHECK_THAT(error, Catch::Contains("enquiry VOLU (volume)"));
    d.simulator.set_fault(sb::Fault::none);
  }

  SECTION("arguments the display cannot take are refused before sending") {
    auto [value, error] = d.exec("volume", Json::array({101}));
    CHECK_THAT(error, Catch::Contains("level must be 0-100, got 101"));
    std::tie(value, error) = d.exec("switch_to", Json::array({"dvi1"}));
    CHECK_THAT(error, Catch::Contains("unknown input \"dvi1\"") && Catch::Contains("hdmi1-4"));
    std::tie(value, error) = d.exec("switch_to", Json::array({"hdmi0"}));
    CHECK_THAT(error, Catch::Contains("unknown input \"hdmi0\""));
    CHECK(d.simulator.received().empty());
  }

  // One attempt each (an error is an answer), and the module is fine afterwards.
  CHECK(d.module().run_state() == ModuleRunState::running);
  auto [value, error] = d.exec("power?");
  CHECK(error.empty());
}

TEST_CASE("sony_bravia: after the display's idle disconnect the driver reconnects and polls again",
          "[sony_bravia]") {
  Display d({.powered_on = true, .idle_timeout = 300ms});
  REQUIRE(d.wait_for("mute", false));
  // The display hangs up the silent connection; the transport reconnects.
  REQUIRE(test::run_until(d.io, [&] { return d.connected_true >= 2; }));
  CHECK_FALSE(d.logged(LogLevel::warn, "disconnected from").empty());
  // The poll after the reconnect asks again, in the same order.
  REQUIRE(
      test::run_until(d.io, [&] { return d.count_received("*SEAMUT################\n") >= 2; }));
  auto frames = d.simulator.received();
  REQUIRE(frames.size() >= 8);
  CHECK(Frames(frames.begin() + 4, frames.begin() + 8) ==
        Frames{"*SEPOWR################\n", "*SEINPT################\n",
               "*SEVOLU################\n", "*SEAMUT################\n"});

  // A change made while the driver was away is picked up by that poll.
  d.simulator.stop_tcp();
  REQUIRE(test::run_until(d.io, [&] { return !d.connected(); }));
  d.simulator.remote_volume(70);
  d.simulator.listen_tcp();
  REQUIRE(d.wait_for("volume", 70));
  auto [value, error] = d.exec("volume", Json::array({12}));
  CHECK(error.empty());
  CHECK(d.simulator.volume() == 12);
  CHECK(d.module().run_state() == ModuleRunState::running);
}

TEST_CASE("sony_bravia: a dropped connection resends the command after the reconnect",
          "[sony_bravia]") {
  Display d({.powered_on = true});
  d.require_polled(4);
  d.simulator.set_fault(sb::Fault::drop_connection);
  auto [value, error] = d.exec("volume", Json::array({33}));
  CHECK(error.empty());
  CHECK(d.count_received("*SCVOLU0000000000000033\n") == 2);
  CHECK(d.simulator.volume() == 33);
  CHECK(d.state("volume") == 33);
  CHECK(d.connected_true == 2);
}

TEST_CASE("sony_bravia: garbage from the display is logged and survived", "[sony_bravia]") {
  Display d({.powered_on = true});
  d.require_polled(4);

  SECTION("24 bytes of junk keep the framing: same connection") {
    d.simulator.send_raw(std::string(24, '\xff'));
    REQUIRE(test::run_until(
        d.io, [&] { return !d.logged(LogLevel::warn, "not Simple IP frames").empty(); }));
    CHECK_THAT(d.logged(LogLevel::warn, "not Simple IP frames").front(),
               Catch::Contains("ignored 24 bytes") && Catch::Contains("\\xFF"));
    auto [value, error] = d.exec("volume", Json::array({40}));
    CHECK(error.empty());
    CHECK(d.count_received("*SCVOLU0000000000000040\n") == 1);
    CHECK(d.connected_true == 1);
  }

  SECTION("junk that shifts the framing: the driver reconnects to realign") {
    d.simulator.set_fault(sb::Fault::garbage);  // 5 junk bytes before the next answer
    auto [value, error] = d.exec("volume", Json::array({40}));
    CHECK(error.empty());
    CHECK(value == 40);
    CHECK_FALSE(d.logged(LogLevel::warn, "reconnecting to realign").empty());
    // The named command waited for the reconnect and went again.
    CHECK(d.count_received("*SCVOLU0000000000000040\n") == 2);
    CHECK(d.connected_true == 2);
  }

  SECTION("a broken frame with the right length") {
    d.simulator.send_raw("*SXPOWR0000000000000001\n");
    REQUIRE(test::run_until(
        d.io, [&] { return !d.logged(LogLevel::warn, "not Simple IP frames").empty(); }));
    CHECK(d.state("power") == true);
  }

  auto [value, error] = d.exec("mute?");
  CHECK(error.empty());
  CHECK(value == false);
  CHECK(d.module().run_state() == ModuleRunState::running);
  CHECK(d.logged(LogLevel::error, "").empty());
}

TEST_CASE("sony_bravia: a display that does not answer fails the method after the timeout",
          "[sony_bravia]") {
  Display d({.timeout = "150ms"});
  d.require_polled(1);
  d.simulator.set_fault(sb::Fault::no_answer);
  auto [value, error] = d.exec("power", Json::array({true}));
  CHECK_THAT(error, Catch::Contains("no reply to 'power'") && Catch::Contains("3 attempts"));
  CHECK(d.count_received("*SCPOWR0000000000000001\n") == 3);
  CHECK(d.state("power") == false);
  d.simulator.set_fault(sb::Fault::none);
  std::tie(value, error) = d.exec("power", Json::array({true}));
  CHECK(error.empty());
}

TEST_CASE("sony_bravia: over a serial line (pty) the transcript is the same",
          "[sony_bravia][serial]") {
  Display d({.serial = true});
  d.require_polled(1);

  auto [value, error] = d.exec("power", Json::array({true}));
  CHECK(error.empty());
  CHECK(d.simulator.received() == Frames{"*SCPOWR0000000000000001\n"});
  REQUIRE(test::run_until(d.io, [&] { return d.simulator.sent().size() == 2; }));
  CHECK(d.simulator.sent() == Frames{"*SAPOWR0000000000000000\n", "*SNPOWR0000000000000001\n"});
  d.simulator.clear_transcript();

  std::tie(value, error) = d.exec("switch_to", Json::array({"hdmi4"}));
  CHECK(error.empty());
  CHECK(d.simulator.received() == Frames{"*SCINPT0000000100000004\n"});
  CHECK(d.state("input") == "hdmi4");
  std::tie(value, error) = d.exec("volume", Json::array({7}));
  CHECK(d.simulator.received().back() == "*SCVOLU0000000000000007\n");
  CHECK(d.state("volume") == 7);
  std::tie(value, error) = d.exec("mute", Json::array({true}));
  CHECK(d.simulator.received().back() == "*SCAMUT0000000000000001\n");
  CHECK(d.state("mute") == true);

  d.simulator.set_notify_before_answer(true);
  std::tie(value, error) = d.exec("volume", Json::array({8}));
  CHECK(error.empty());
  CHECK(d.state("volume") == 8);

  d.simulator.remote_power(false);
  REQUIRE(d.wait_for("power", false));
  std::tie(value, error) = d.exec("switch_to", Json::array({"hdmi1"}));
  CHECK_THAT(error, Catch::Contains("*SAINPTFFFFFFFFFFFFFFFF"));

  // Line noise: three bytes shift the 24-byte framing of the next answer; the driver reopens
  // the port to realign and asks again.
  d.simulator.send_raw("\xfe\xfe\xfe");
  std::tie(value, error) = d.exec("power?");
  CHECK(error.empty());
  CHECK(value == false);
  CHECK_FALSE(d.logged(LogLevel::warn, "reconnecting to realign").empty());
  CHECK(d.connected_true == 2);
}
