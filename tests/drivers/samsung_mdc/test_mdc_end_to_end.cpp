// The Samsung MDC driver inside a real runtime against the simulator over a pty, end to end:
// what the display received and answered for each method. Its behaviour byte by byte is in
// the transcripts (test_mdc_driver.cpp).
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
