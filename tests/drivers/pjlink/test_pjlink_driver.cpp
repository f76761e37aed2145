// The PJLink driver inside a real runtime, against the simulator on an ephemeral port:
// greeting and authentication, a full method transcript checked against the bytes the
// simulator received and the state store, ERR answers as readable method errors, reconnects,
// and a device that sends garbage, oversize frames or nothing at all.
#include "drivers/pjlink/pjlink_simulator.hpp"
#include "tests/support/driver_fixture.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

using namespace roomd;
using namespace std::chrono_literals;
namespace pj = roomd::pjlink;

namespace {

constexpr const char* kProjectorPassword = "JBMIAProjectorLink";

struct Options {
  std::string simulator_password;  // empty: the projector greets with PJLINK 0
  std::string module_password;     // empty: no password setting
  std::string timeout;             // empty: the driver's default (5s)
  std::string poll_every = "100ms";
  std::chrono::milliseconds warmup{50};
};

struct Projector : test::SimulatedDevice<pj::PjlinkSimulator>, test::DriverUnderTest {
  explicit Projector(const Options& options = {})
      : SimulatedDevice(simulator_options(options)),
        DriverUnderTest(io, dir.path(), driver_spec(simulator, options)) {}

  static pj::SimulatorOptions simulator_options(const Options& options) {
    pj::SimulatorOptions sim;
    sim.port = 0;
    sim.password = options.simulator_password;
    sim.idle_timeout = 0ms;
    sim.warmup = options.warmup;
    sim.cooldown = 50ms;
    sim.name = "Room 101 Projector";
    return sim;
  }

  // Starts the simulator on an ephemeral port and says how the module reaches it.
  static test::DriverSpec driver_spec(pj::PjlinkSimulator& simulator, const Options& options) {
    const auto port = simulator.start();
    Json settings = {{"poll_every", options.poll_every}};
    if (!options.module_password.empty()) settings["password"] = options.module_password;
    if (!options.timeout.empty()) settings["timeout"] = options.timeout;
    return {"pjlink", "mod-proj", "Projector", settings, test::loopback_tcp(port)};
  }

  bool wait_for(const char* name, const Json& value, std::chrono::milliseconds timeout = 5s) {
    return DriverUnderTest::wait_for(name, value, timeout);
  }

  std::size_t count_received(const std::string& line) const {
    return test::count_of(simulator.received(), line);
  }
  bool was_received(const std::string& line) const { return count_received(line) > 0; }

  // Connected and the first poll has published the power state.
  void require_online() {
    REQUIRE(test::run_until(io, [&] { return connected() && state("power_state").is_string(); }));
  }

  void power_on() {
    auto [value, error] = exec("power", Json::array({true}));
    REQUIRE(error.empty());
    REQUIRE(value == true);
    REQUIRE(wait_for("power_state", "on"));
  }
};

}  // namespace

TEST_CASE("without a password the driver connects and polls standby", "[pjlink][driver]") {
  Projector p;
  REQUIRE(test::run_until(p.io, [&] { return p.connected(); }));
  REQUIRE(p.wait_for("power_state", "standby"));
  CHECK(p.state("power") == false);
  CHECK(p.was_received("%1POWR ?"));
  // Standby: input and mute are not polled (they would only answer ERR3).
  CHECK_FALSE(p.was_received("%1INPT ?"));
  CHECK_FALSE(p.was_received("%1AVMT ?"));
  CHECK(p.logged(LogLevel::warn, "").empty());
  CHECK(p.module().run_state() == ModuleRunState::running);
}

TEST_CASE("with the right password the driver authenticates", "[pjlink][driver]") {
  Projector p({.simulator_password = kProjectorPassword, .module_password = kProjectorPassword});
  p.require_online();
  CHECK(p.state("power_state") == "standby");
  CHECK(p.state("power") == false);
  // The simulator strips a valid-looking digest; the first line is the command it rode on.
  auto lines = p.simulator.received();
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.front() == "%1POWR ?");
  CHECK(p.logged(LogLevel::error, "").empty());
  CHECK(p.logged(LogLevel::info, "authenticated").size() == 1);
  // Later commands (without digest) are accepted on the same connection.
  auto [value, error] = p.exec("name?", Json::array());
  CHECK(error.empty());
  CHECK(value == "Room 101 Projector");
  CHECK(p.simulator.connections() == 1);
  CHECK(p.connected_true == 1);
}

TEST_CASE("a wrong password is logged without the password and never goes online",
          "[pjlink][driver]") {
  const std::string wrong = "not-the-right-one-42";
  Projector p({.simulator_password = kProjectorPassword, .module_password = wrong});
  // The projector closes the connection after PJLINK ERRA; the driver tries again.
  REQUIRE(test::run_until(
      p.io, [&] { return p.logged(LogLevel::error, "refused the password").size() >= 2; }));
  for (const auto& message : p.logged(LogLevel::error, "refused the password")) {
    CHECK_THAT(message, Catch::Contains("settings.password"));
    CHECK_THAT(message, Catch::Contains("mod-proj"));
  }
  // Neither password appears in any record, at any level (trace shows the bytes sent).
  for (const auto& r : p.records) {
    CHECK_THAT(r.message, !Catch::Contains(wrong));
    CHECK_THAT(r.message, !Catch::Contains(kProjectorPassword));
  }
  CHECK_FALSE(p.connected());
  CHECK(p.connected_true == 0);
  CHECK_FALSE(p.state("power_state").is_string());
  CHECK(p.module().run_state() == ModuleRunState::running);
}

TEST_CASE("a projector that wants a password when none is set says so", "[pjlink][driver]") {
  Projector p({.simulator_password = kProjectorPassword});
  REQUIRE(test::run_until(
      p.io, [&] { return !p.logged(LogLevel::error, "requires a PJLink password").empty(); }));
  CHECK_THAT(p.logged(LogLevel::error, "requires a PJLink password").front(),
             Catch::Contains("settings.password of module mod-proj"));
  CHECK_FALSE(p.connected());
  CHECK(p.module().run_state() == ModuleRunState::running);
}

TEST_CASE("transcript: power, input, mute, errors, lamp, name, power off", "[pjlink][driver]") {
  Projector p;
  p.require_online();
  REQUIRE(p.state("power_state") == "standby");

  auto [value, error] = p.exec("power", Json::array({true}));
  CHECK(error.empty());
  CHECK(value == true);
  CHECK(p.was_received("%1POWR 1"));
  CHECK(p.state("power") == true);
  REQUIRE(p.wait_for("power_state", "on"));
  CHECK(p.state("power") == true);
  CHECK(p.simulator.power_state() == pj::PowerState::on);
  // Once on, the poll asks for input and mute too.
  REQUIRE(test::run_until(p.io, [&] { return p.was_received("%1INPT ?"); }));
  REQUIRE(p.wait_for("input", "rgb1"));

  std::tie(value, error) = p.exec("switch_to", Json::array({"digital2"}));
  CHECK(error.empty());
  CHECK(value == "digital2");
  CHECK(p.was_received("%1INPT 32"));
  CHECK(p.state("input") == "digital2");
  CHECK(p.simulator.input() == "32");

  // A two-digit PJLink code works too and is reported by name.
  std::tie(value, error) = p.exec("switch_to", Json::array({"51"}));
  CHECK(error.empty());
  CHECK(value == "network1");
  CHECK(p.was_received("%1INPT 51"));
  CHECK(p.state("input") == "network1");

  std::tie(value, error) = p.exec("mute", Json::array({"video", true}));
  CHECK(error.empty());
  const Json video_only = {{"video", true}, {"audio", false}};
  CHECK(value == video_only);
  CHECK(p.was_received("%1AVMT 11"));
  CHECK(p.state("mute") == video_only);
  CHECK(p.simulator.video_muted());
  CHECK_FALSE(p.simulator.audio_muted());
  // The poll's AVMT ? agrees with what the method published.
  p.simulator.clear_received();
  REQUIRE(test::run_until(p.io, [&] { return p.was_received("%1AVMT ?"); }));
  p.io.run_for(20ms);
  CHECK(p.state("mute") == video_only);

  std::tie(value, error) = p.exec("input?", Json::array());
  CHECK(error.empty());
  CHECK(value == "network1");
  std::tie(value, error) = p.exec("mute?", Json::array());
  CHECK(error.empty());
  CHECK(value == video_only);

  std::tie(value, error) = p.exec("mute", {{"what", "both"}, {"on", false}});
  CHECK(error.empty());
  CHECK(p.was_received("%1AVMT 30"));
  CHECK(p.state("mute") == Json{{"video", false}, {"audio", false}});

  p.simulator.set_errors("010002");
  std::tie(value, error) = p.exec("errors?", Json::array());
  CHECK(error.empty());
  const Json errors = {{"fan", "ok"},   {"lamp", "warning"}, {"temperature", "ok"},
                       {"cover", "ok"}, {"filter", "ok"},    {"other", "error"}};
  CHECK(value == errors);
  CHECK(p.was_received("%1ERST ?"));
  CHECK(p.state("errors") == errors);

  p.simulator.set_lamp_hours(1234);
  std::tie(value, error) = p.exec("lamp_hours?", Json::array());
  CHECK(error.empty());
  CHECK(value == 1234);
  CHECK(p.was_received("%1LAMP ?"));
  CHECK(p.state("lamp_hours") == 1234);

  std::tie(value, error) = p.exec("name?", Json::array());
  CHECK(error.empty());
  CHECK(value == "Room 101 Projector");
  CHECK(p.was_received("%1NAME ?"));
  CHECK(p.state("name") == "Room 101 Projector");

  std::tie(value, error) = p.exec("power?", Json::array());
  CHECK(error.empty());
  CHECK(value == true);

  std::tie(value, error) = p.exec("power", Json::array({false}));
  CHECK(error.empty());
  CHECK(value == false);
  CHECK(p.was_received("%1POWR 0"));
  CHECK(p.state("power") == false);
  REQUIRE(p.wait_for("power_state", "standby"));
  CHECK(p.state("power") == false);
  CHECK(p.simulator.power_state() == pj::PowerState::standby);
  CHECK(p.logged(LogLevel::warn, "").empty());
}

TEST_CASE("ERR answers become method errors with readable text", "[pjlink][driver]") {
  Projector p;
  p.require_online();

  SECTION("ERR3 in standby") {
    auto [value, error] = p.exec("switch_to", Json::array({"digital2"}));
    CHECK(p.was_received("%1INPT 32"));
    CHECK_THAT(error, Catch::Contains("mod-proj") && Catch::Contains("INPT=ERR3") &&
                          Catch::Contains("unavailable time"));
    CHECK(p.state("input").is_null());
    // Only one attempt: an ERR is an answer, not a reason to retry.
    CHECK(p.count_received("%1INPT 32") == 1);
  }

  SECTION("ERR2 for an input the projector does not have") {
    p.power_on();
    auto [value, error] = p.exec("switch_to", Json::array({"rgb9"}));
    CHECK(p.was_received("%1INPT 19"));
    CHECK_THAT(error, Catch::Contains("INPT=ERR2") && Catch::Contains("out of parameter"));
    CHECK(p.simulator.input() == "11");
  }

  SECTION("an input name the driver does not know is refused before sending") {
    p.simulator.clear_received();
    auto [value, error] = p.exec("switch_to", Json::array({"hdmi7"}));
    CHECK_THAT(error, Catch::Contains("switch_to(input: string)") &&
                          Catch::Contains("unknown input \"hdmi7\"") && Catch::Contains("rgb1-9") &&
                          Catch::Contains("digital1-9") && Catch::Contains("network1-9"));
    CHECK_FALSE(p.was_received("%1INPT hdmi7"));
    auto lines = p.simulator.received();
    CHECK(std::none_of(lines.begin(), lines.end(),
                       [](const std::string& l) { return l.starts_with("%1INPT"); }));
  }

  SECTION("ERR4 when a lamp failure keeps the projector from striking") {
    p.simulator.set_errors("020000");
    auto [value, error] = p.exec("power", Json::array({true}));
    CHECK(p.was_received("%1POWR 1"));
    CHECK_THAT(error, Catch::Contains("POWR=ERR4") && Catch::Contains("projector/display failure"));
    CHECK(p.state("power") == false);
    CHECK(p.state("power_state") == "standby");
    std::tie(value, error) = p.exec("errors?", Json::array());
    CHECK(value["lamp"] == "error");
  }

  SECTION("input and mute queries in standby answer ERR3") {
    auto [value, error] = p.exec("input?", Json::array());
    CHECK_THAT(error, Catch::Contains("INPT=ERR3"));
    std::tie(value, error) = p.exec("mute?", Json::array());
    CHECK_THAT(error, Catch::Contains("AVMT=ERR3"));
  }

  SECTION("mute with an unknown target") {
    auto [value, error] = p.exec("mute", Json::array({"picture", true}));
    CHECK_THAT(error, Catch::Contains("what must be video, audio or both") &&
                          Catch::Contains("\"picture\""));
  }

  // The module is fine after every refusal.
  CHECK(p.connected());
  auto [value, error] = p.exec("power?", Json::array());
  CHECK(error.empty());
}

TEST_CASE("power off while warming up is refused with ERR3", "[pjlink][driver]") {
  Projector p({.warmup = 3s});
  p.require_online();
  REQUIRE(p.exec("power", Json::array({true})).second.empty());
  REQUIRE(p.wait_for("power_state", "warming"));
  auto [value, error] = p.exec("power", Json::array({false}));
  CHECK(p.was_received("%1POWR 0"));
  CHECK_THAT(error, Catch::Contains("POWR=ERR3") && Catch::Contains("warming up"));
  // The refused command did not publish its optimistic status.
  CHECK(p.state("power") == true);
  CHECK(p.state("power_state") == "warming");
  CHECK(p.simulator.power_state() == pj::PowerState::warming);
}

TEST_CASE("power to the state the projector is already in keeps power_state", "[pjlink][driver]") {
  Projector p({.poll_every = "1h"});  // only the poll after the greeting
  p.require_online();
  REQUIRE(p.state("power_state") == "standby");
  auto [value, error] = p.exec("power", Json::array({false}));
  CHECK(error.empty());
  CHECK(p.was_received("%1POWR 0"));
  CHECK(p.state("power_state") == "standby");
  CHECK(p.state("power") == false);

  std::tie(value, error) = p.exec("power", Json::array({true}));
  REQUIRE(error.empty());
  CHECK(p.state("power_state") == "warming");
  REQUIRE(test::run_until(p.io, [&] { return p.simulator.power_state() == pj::PowerState::on; }));
  std::tie(value, error) = p.exec("power?", Json::array());
  REQUIRE(p.state("power_state") == "on");
  std::tie(value, error) = p.exec("power", Json::array({true}));
  CHECK(error.empty());
  CHECK(p.count_received("%1POWR 1") == 2);
  CHECK(p.state("power_state") == "on");
  CHECK(p.state("power") == true);
}

TEST_CASE("a projector that goes away is reconnected and polled again", "[pjlink][driver]") {
  Projector p;
  p.require_online();

  p.simulator.stop();
  REQUIRE(test::run_until(p.io, [&] { return !p.connected(); }));
  CHECK(p.simulator.connections() == 0);
  CHECK_FALSE(p.logged(LogLevel::warn, "disconnected from").empty());

  // A user's power on made while the projector is away waits for the reconnect.
  bool done = false;
  std::pair<Json, std::string> out;
  p.module().exec("power", Json::array({true}), [&](std::exception_ptr e, Json value) {
    done = true;
    out.first = value;
    if (e) out.second = "error";
  });
  // Let the transport fail to connect a few times while the projector is off the network.
  REQUIRE(
      test::run_until(p.io, [&] { return !p.logged(LogLevel::warn, "cannot connect").empty(); }));
  CHECK_FALSE(done);
  CHECK_FALSE(p.connected());

  p.runtime->state().erase("mod-proj", "power_state");
  p.simulator.clear_received();
  REQUIRE(p.simulator.start() != 0);
  REQUIRE(test::run_until(p.io, [&] { return p.connected(); }));
  CHECK(p.connected_true == 2);
  REQUIRE(test::run_until(p.io, [&] { return done; }));
  CHECK(out.second.empty());
  CHECK(out.first == true);
  CHECK(p.was_received("%1POWR 1"));
  // The poll after the greeting refreshes the status.
  REQUIRE(test::run_until(p.io, [&] { return p.was_received("%1POWR ?"); }));
  REQUIRE(p.wait_for("power_state", "on"));
  CHECK(p.state("power") == true);
  CHECK(p.module().run_state() == ModuleRunState::running);
}

TEST_CASE("garbage from the projector is logged and ignored", "[pjlink][driver]") {
  Projector p;
  p.require_online();

  SECTION("unsolicited garbage line") {
    p.simulator.send_raw("\xff\xfe garbage\r");
    REQUIRE(test::run_until(p.io, [&] { return !p.logged(LogLevel::warn, "not PJLink").empty(); }));
    CHECK_THAT(p.logged(LogLevel::warn, "not PJLink").front(), Catch::Contains("garbage"));
  }

  SECTION("every answer preceded by random high bytes") {
    p.simulator.set_fault(pj::Fault::garbage);
    auto [value, error] = p.exec("power?", Json::array());
    CHECK(error.empty());
    CHECK(value == false);
    CHECK_FALSE(p.logged(LogLevel::warn, "not PJLink").empty());
    p.power_on();
    std::tie(value, error) = p.exec("switch_to", Json::array({"digital1"}));
    CHECK(error.empty());
    CHECK(p.state("input") == "digital1");
    p.simulator.set_fault(pj::Fault::none);
  }

  // Later commands still work, on the same connection.
  auto [value, error] = p.exec("name?", Json::array());
  CHECK(error.empty());
  CHECK(value == "Room 101 Projector");
  CHECK(p.connected_true == 1);
  CHECK(p.logged(LogLevel::error, "").empty());
}

TEST_CASE("an oversize frame is dropped and the driver keeps working", "[pjlink][driver]") {
  SECTION("junk ended by CR") {
    Projector p;
    p.require_online();
    p.simulator.send_raw(std::string(2000, 'x'));
    REQUIRE(test::run_until(p.io, [&] { return !p.logged(LogLevel::warn, "dropped").empty(); }));
    p.simulator.send_raw("\r");
    auto [value, error] = p.exec("name?", Json::array());
    CHECK(error.empty());
    CHECK(value == "Room 101 Projector");
    CHECK(p.count_received("%1NAME ?") == 1);
    CHECK(p.connected_true == 1);
  }

  SECTION("junk without CR swallows the next answer; the retry recovers") {
    // No periodic poll after the first: the next answer on the wire is the one for name?.
    Projector p({.timeout = "250ms", .poll_every = "1h"});
    p.require_online();
    p.simulator.send_raw(std::string(2000, 'x'));
    REQUIRE(test::run_until(p.io, [&] { return !p.logged(LogLevel::warn, "dropped").empty(); }));
    p.simulator.clear_received();
    auto [value, error] = p.exec("name?", Json::array());
    CHECK(error.empty());
    CHECK(value == "Room 101 Projector");
    CHECK(p.count_received("%1NAME ?") == 2);
    CHECK(p.connected_true == 1);
  }
}

TEST_CASE("a projector that does not answer fails the method after the timeout",
          "[pjlink][driver]") {
  Projector p({.timeout = "200ms"});
  p.require_online();
  p.simulator.set_fault(pj::Fault::no_answer);
  p.simulator.clear_received();

  auto started = Clock::now();
  auto [value, error] = p.exec("power", Json::array({true}));
  auto took = Clock::now() - started;
  CHECK_THAT(error, Catch::Contains("no reply to 'power'") && Catch::Contains("within 200ms") &&
                        Catch::Contains("3 attempts"));
  CHECK(p.count_received("%1POWR 1") == 3);
  // At most a poll's three attempts ahead of it, then its own three.
  CHECK(took < 2s);
  CHECK(p.state("power") == false);

  // The poll's failures are warnings, not a failed module.
  CHECK(p.module().run_state() == ModuleRunState::running);
  p.simulator.set_fault(pj::Fault::none);
  std::tie(value, error) = p.exec("power", Json::array({true}));
  CHECK(error.empty());
  REQUIRE(p.wait_for("power_state", "on"));
}
