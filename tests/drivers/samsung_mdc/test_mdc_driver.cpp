// The Samsung MDC driver inside a real runtime against the simulator, over TCP and over a
// pty: every method as a byte-exact transcript (what the display received, what it answered,
// the result and the state store), the status poll, NAKs as readable errors, replies that
// are corrupt, for another display or garbage, and reconnecting after the line drops.
#include "drivers/samsung_mdc/mdc_frame.hpp"
#include "drivers/samsung_mdc/mdc_simulator.hpp"
#include "tests/support/driver_fixture.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

using namespace roomd;
using namespace std::chrono_literals;
using namespace roomd::samsung_mdc;

namespace {

struct Options {
  bool serial = false;  // the driver opens the simulator's pty instead of TCP
  int display_id = 1;
  std::vector<std::uint8_t> simulator_ids = {1};
  std::string poll_every = "1h";  // transcripts: only the poll after each connect
  std::string timeout = "3s";
};

std::vector<std::string> hex_all(const std::vector<std::string>& frames) {
  std::vector<std::string> out;
  for (const auto& frame : frames) out.push_back(to_hex(frame));
  return out;
}

struct Display : test::SimulatedDevice<MdcSimulator>, test::DriverUnderTest {
  explicit Display(const Options& options = {})
      : SimulatedDevice(options.simulator_ids),
        DriverUnderTest(io, dir.path(), driver_spec(simulator, options)) {}

  // Opens the simulator's line (TCP or pty) and says how the module reaches it.
  static test::DriverSpec driver_spec(MdcSimulator& simulator, const Options& options) {
    Json settings = {{"poll_every", options.poll_every},
                     {"timeout", options.timeout},
                     {"display_id", options.display_id}};
    return {"samsung_mdc", "mod-display", "Display", settings,
            test::simulator_line(simulator, options.serial)};
  }

  // Connected and the poll after connecting has published all four status values; the
  // simulator's log is cleared so a transcript starts from nothing.
  void require_online() {
    REQUIRE(test::run_until(io, [&] {
      return connected() && state("power").is_boolean() && state("input").is_string() &&
             state("volume").is_number() && state("mute").is_boolean();
    }));
    simulator.clear_log();
  }

  // One method as a transcript: exactly `sent` reaches the display, which answers exactly
  // `answer`; the method returns `value`.
  void transcript(const std::string& method, Json args, const std::string& sent,
                  const std::string& answer, const Json& value) {
    INFO(method << " " << args.dump());
    simulator.clear_log();
    auto [result, error] = exec(method, std::move(args));
    CHECK(error.empty());
    CHECK(hex_all(simulator.received()) == std::vector<std::string>{sent});
    CHECK(hex_all(simulator.sent()) == std::vector<std::string>{answer});
    CHECK(result == value);
  }
};

}  // namespace

TEST_CASE("samsung_mdc: the driver polls status as soon as it connects", "[samsung_mdc][driver]") {
  Display d;
  REQUIRE(test::run_until(d.io, [&] { return d.state("input").is_string(); }));
  CHECK(hex_all(d.simulator.received()) == std::vector<std::string>{"AA 00 01 00 01"});
  CHECK(hex_all(d.simulator.sent()) ==
        std::vector<std::string>{"AA FF 01 09 41 00 00 14 00 21 10 00 00 8F"});
  CHECK(d.state("power") == false);
  CHECK(d.state("volume") == 20);
  CHECK(d.state("mute") == false);
  CHECK(d.state("input") == "hdmi1");
  CHECK(d.connected());
  CHECK(d.logged(LogLevel::warn, "").empty());
  CHECK(d.module().run_state() == ModuleRunState::running);
}

TEST_CASE("samsung_mdc: transcript: every method, byte for byte", "[samsung_mdc][driver]") {
  Display d;
  d.require_online();

  d.transcript("power", {true}, "AA 11 01 01 01 14", "AA FF 01 03 41 11 01 56", true);
  CHECK(d.state("power") == true);
  CHECK(d.simulator.state(1).power);

  d.transcript("switch_to", {"hdmi2"}, "AA 14 01 01 23 39", "AA FF 01 03 41 14 23 7B", "hdmi2");
  CHECK(d.state("input") == "hdmi2");
  d.transcript("switch_to", {"DisplayPort"}, "AA 14 01 01 25 3B", "AA FF 01 03 41 14 25 7D",
               "displayport");
  CHECK(d.state("input") == "displayport");
  CHECK(d.simulator.state(1).input == 0x25);

  d.transcript("volume", {42}, "AA 12 01 01 2A 3E", "AA FF 01 03 41 12 2A 80", 42);
  CHECK(d.state("volume") == 42);

  d.transcript("mute", {true}, "AA 13 01 01 01 16", "AA FF 01 03 41 13 01 58", true);
  CHECK(d.state("mute") == true);

  const Json status = {{"power", true}, {"volume", 42}, {"mute", true}, {"input", "displayport"}};
  d.transcript("status?", Json::array(), "AA 00 01 00 01",
               "AA FF 01 09 41 00 01 2A 01 25 10 00 00 AB", status);
  d.transcript("power?", Json::array(), "AA 11 01 00 12", "AA FF 01 03 41 11 01 56", true);
  d.transcript("input?", Json::array(), "AA 14 01 00 15", "AA FF 01 03 41 14 25 7D", "displayport");
  d.transcript("volume?", Json::array(), "AA 12 01 00 13", "AA FF 01 03 41 12 2A 80", 42);
  d.transcript("mute?", Json::array(), "AA 13 01 00 14", "AA FF 01 03 41 13 01 58", true);

  d.transcript("mute", {false}, "AA 13 01 01 00 15", "AA FF 01 03 41 13 00 57", false);
  CHECK(d.state("mute") == false);
  d.transcript("power", {false}, "AA 11 01 01 00 13", "AA FF 01 03 41 11 00 55", false);
  CHECK(d.state("power") == false);
  CHECK(d.logged(LogLevel::warn, "").empty());
}

TEST_CASE("samsung_mdc: the display id comes from settings", "[samsung_mdc][driver]") {
  Display d({.display_id = 5, .simulator_ids = {5}});
  REQUIRE(test::run_until(d.io, [&] { return d.state("input").is_string(); }));
  CHECK(hex_all(d.simulator.received()) == std::vector<std::string>{"AA 00 05 00 05"});
  CHECK(hex_all(d.simulator.sent()) ==
        std::vector<std::string>{"AA FF 05 09 41 00 00 14 00 21 10 00 00 93"});
  d.require_online();
  d.transcript("power", {true}, "AA 11 05 01 01 18", "AA FF 05 03 41 11 01 5A", true);
  CHECK(d.simulator.state(5).power);
}

TEST_CASE("samsung_mdc: the status poll follows changes made at the display",
          "[samsung_mdc][driver]") {
  Display d({.poll_every = "50ms"});
  d.require_online();
  DisplayState front_panel;
  front_panel.power = true;
  front_panel.input = 0x31;
  front_panel.volume = 7;
  front_panel.mute = true;
  d.simulator.set_state(1, front_panel);
  REQUIRE(test::run_until(d.io, [&] { return d.state("input") == "hdmi3"; }));
  CHECK(d.state("power") == true);
  CHECK(d.state("volume") == 7);
  CHECK(d.state("mute") == true);
  // Polls are only ever the status query.
  for (const auto& frame : hex_all(d.simulator.received())) CHECK(frame == "AA 00 01 00 01");
  CHECK_FALSE(d.simulator.received().empty());
}

TEST_CASE("samsung_mdc: bad arguments are refused before anything is sent",
          "[samsung_mdc][driver]") {
  Display d;
  d.require_online();
  auto [value, error] = d.exec("switch_to", {"hdmi9"});
  CHECK_THAT(error, Catch::Contains("unknown input \"hdmi9\""));
  CHECK_THAT(error, Catch::EndsWith("use one of: pc, dvi, av, svideo, component, hdmi1, hdmi1_pc, "
                                    "hdmi2, hdmi2_pc, displayport, hdmi3, hdmi4, magicinfo"));
  std::tie(value, error) = d.exec("volume", {101});
  CHECK_THAT(error, Catch::Contains("level must be 0-100, got 101"));
  std::tie(value, error) = d.exec("volume", {-1});
  CHECK_THAT(error, Catch::Contains("level must be 0-100, got -1"));
  CHECK(d.simulator.received().empty());
}

TEST_CASE("samsung_mdc: a NAK becomes a method error naming the command and error byte",
          "[samsung_mdc][driver]") {
  Display d;
  d.require_online();
  d.simulator.set_fault(Fault::nak, 0x02);
  auto [value, error] = d.exec("power", {true});
  CHECK(hex_all(d.simulator.received()) == std::vector<std::string>{"AA 11 01 01 01 14"});
  CHECK(hex_all(d.simulator.sent()) == std::vector<std::string>{"AA FF 01 03 4E 11 02 64"});
  CHECK(error ==
        "mod-display: display 1 refused power (MDC command 0x11, NAK error byte 0x02); check "
        "the display supports it in its current state (on, source) and the value is valid");
  CHECK(d.state("power") == false);
  d.simulator.set_fault(Fault::nak, 0x03);
  std::tie(value, error) = d.exec("switch_to", {"hdmi2"});
  CHECK_THAT(error, Catch::Contains("refused input (MDC command 0x14, NAK error byte 0x03)"));
  CHECK(d.state("input") == "hdmi1");
  // The display accepts commands again: nothing is stuck.
  d.simulator.set_fault(Fault::none);
  d.transcript("power", {true}, "AA 11 01 01 01 14", "AA FF 01 03 41 11 01 56", true);
}

TEST_CASE("samsung_mdc: replies with a bad checksum or another display's id are ignored",
          "[samsung_mdc][driver]") {
  Display d({.timeout = "150ms"});
  d.require_online();
  SECTION("bad checksum") {
    d.simulator.set_fault(Fault::bad_checksum);
    auto [value, error] = d.exec("power", {true});
    CHECK_THAT(error, Catch::Contains("no reply to 'power' within 150ms (3 attempts)"));
    CHECK(d.simulator.received().size() == 3);
    auto warnings = d.logged(LogLevel::warn, "bad checksum");
    REQUIRE(warnings.size() == 3);
    CHECK_THAT(warnings.front(), Catch::Contains("AA FF 01 03 41 11 01"));
    CHECK_THAT(warnings.front(), Catch::Contains("(expected 0x56)"));
  }
  SECTION("another display id") {
    d.simulator.set_fault(Fault::wrong_id);
    auto [value, error] = d.exec("volume", {30});
    CHECK_THAT(error, Catch::Contains("no reply to 'volume'"));
    auto warnings = d.logged(LogLevel::warn, "display id 2");
    REQUIRE_FALSE(warnings.empty());
    CHECK_THAT(warnings.front(), Catch::Contains("settings.display_id"));
    CHECK(d.state("volume") == 20);  // another display's volume is not ours
  }
  // The status is untouched by what was ignored, and the driver works again.
  d.simulator.set_fault(Fault::none);
  auto [value, error] = d.exec("status?", Json::array());
  CHECK(error.empty());
  CHECK(d.module().run_state() == ModuleRunState::running);
}

TEST_CASE("samsung_mdc: garbage from the display is skipped and never completes a command",
          "[samsung_mdc][driver]") {
  Display d;
  d.require_online();

  SECTION("noise and a corrupt header before every answer") {
    d.simulator.set_fault(Fault::garbage);
    auto [value, error] = d.exec("power", {true});
    CHECK(error.empty());
    CHECK(value == true);
    std::tie(value, error) = d.exec("volume", {55});
    CHECK(error.empty());
    CHECK(value == 55);
    CHECK(d.state("volume") == 55);
  }

  SECTION("junk while a command waits does not answer it") {
    d.simulator.set_fault(Fault::no_answer);
    bool done = false;
    Json result;
    std::string error;
    d.module().exec("power", Json::array({true}), [&](std::exception_ptr e, Json v) {
      done = true;
      result = std::move(v);
      if (e) error = "failed";
    });
    REQUIRE(test::run_until(d.io, [&] { return d.simulator.received().size() == 1; }));
    auto bad = make_reply(1, true, kCmdPower, std::string(1, '\0'));
    bad.back() = static_cast<char>(bad.back() + 1);
    std::string junk = "\x01\x02\x7F";
    junk += make_reply(2, true, kCmdPower, std::string(1, '\0'));  // another display
    junk += bad;                                                   // bad checksum
    junk += std::string("\xAA\xFF\x01\x00\x00", 5);                // checksum fine, no ACK/NAK byte
    junk += make_frame(kCmdPower, 1, "\x01");                      // a command, not a reply
    junk += make_reply(1, true, kCmdVolume, "\x09");  // a reply, but to another command
    d.simulator.send_raw(junk);
    REQUIRE(test::run_until(d.io, [&] { return d.state("volume") == 9; }));
    CHECK_FALSE(done);
    CHECK(d.logged(LogLevel::warn, "ignored").size() == 4);
    d.simulator.send_raw(make_reply(1, true, kCmdPower, "\x01"));
    REQUIRE(test::run_until(d.io, [&] { return done; }));
    CHECK(error.empty());
    CHECK(result == true);
  }
  CHECK(d.module().run_state() == ModuleRunState::running);
}

TEST_CASE("samsung_mdc: the driver reconnects after the display drops the line",
          "[samsung_mdc][driver]") {
  Display d;
  d.require_online();
  REQUIRE(d.connected_true == 1);
  d.simulator.set_fault(Fault::drop_connection);
  // The named command waits for the reconnect and is sent again.
  auto [value, error] = d.exec("power", {true});
  CHECK(error.empty());
  CHECK(value == true);
  CHECK(d.connected_true == 2);
  auto frames = hex_all(d.simulator.received());
  CHECK(std::count(frames.begin(), frames.end(), "AA 11 01 01 01 14") == 2);
  CHECK(d.simulator.state(1).power);
  CHECK_FALSE(d.logged(LogLevel::warn, "disconnected").empty());
  // The poll after the reconnect refreshes the status too.
  REQUIRE(test::run_until(d.io, [&] {
    auto all = hex_all(d.simulator.received());
    return std::count(all.begin(), all.end(), "AA 00 01 00 01") >= 1;
  }));
}

TEST_CASE("samsung_mdc: the driver runs over a serial line (pty)",
          "[samsung_mdc][driver][serial]") {
  Display d({.serial = true});
  d.require_online();
  CHECK(d.state("input") == "hdmi1");
  d.transcript("power", {true}, "AA 11 01 01 01 14", "AA FF 01 03 41 11 01 56", true);
  d.transcript("switch_to", {"hdmi4"}, "AA 14 01 01 33 49", "AA FF 01 03 41 14 33 8B", "hdmi4");
  d.transcript("volume", {100}, "AA 12 01 01 64 78", "AA FF 01 03 41 12 64 BA", 100);
  d.transcript("mute", {true}, "AA 13 01 01 01 16", "AA FF 01 03 41 13 01 58", true);
  CHECK(d.state("input") == "hdmi4");
  CHECK(d.state("volume") == 100);
  d.simulator.set_fault(Fault::nak, 0x01);
  auto [value, error] = d.exec("volume", {10});
  CHECK_THAT(error, Catch::Contains("refused volume (MDC command 0x12, NAK error byte 0x01)"));
}
