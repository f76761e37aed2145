// The Extron SIS driver's test fixture: a runtime with one extron_sis module wired to the
// simulator over TCP or a pty, plus helpers for byte-exact transcripts and log checks.
#pragma once

#include "drivers/extron_sis/extron_simulator.hpp"
#include "drivers/extron_sis/extron_sis.hpp"
#include "tests/support/driver_fixture.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

namespace roomd::test::extron_sis {

using namespace std::chrono_literals;
namespace ex = roomd::extron;

inline const std::string kVerbose =
    "\x1b"
    "3CV\r";
inline constexpr const char* kPassword = "Extr0n-Admin!";

struct Options {
  ex::SimulatorOptions sim = defaults();
  Json settings = Json::object();  // over the fixture's own
  bool serial = false;

  static ex::SimulatorOptions defaults() {
    ex::SimulatorOptions o;
    o.inputs = 8;
    o.outputs = 4;
    return o;
  }
};

struct Switcher : test::SimulatedDevice<ex::ExtronSimulator>, test::DriverUnderTest {
  explicit Switcher(const Options& options = {})
      : SimulatedDevice(options.sim),
        DriverUnderTest(io, dir.path(), driver_spec(simulator, options)) {}

  // Opens the simulator's line (TCP or pty) and says how the module reaches it.
  static test::DriverSpec driver_spec(ex::ExtronSimulator& simulator, const Options& options) {
    Json settings = {{"timeout", "300ms"}, {"keepalive_every", "1h"}, {"outputs", 4}};
    settings.update(options.settings);
    return {"extron_sis", "mod-sw", "Switcher", settings,
            test::simulator_line(simulator, options.serial)};
  }

  std::size_t count_received(const std::string& bytes) const {
    return test::count_of(simulator.received(), bytes);
  }

  // Online, with verbose mode 3 set (its answer has come back).
  void require_online() {
    REQUIRE(test::run_until(io, [&] { return connected(); }));
    REQUIRE(test::run_until(
        io, [&] { return count_received(kVerbose) == 1 && module().queue_depth() == 0; }));
  }

  // Runs one method and checks the exact bytes the switcher received for it.
  Json transcript(const std::string& method, Json args, const std::string& expect_bytes) {
    simulator.clear_received();
    auto [value, error] = exec(method, std::move(args));
    INFO(method << ": " << error);
    CHECK(error.empty());
    CHECK(simulator.received() == std::vector<std::string>{expect_bytes});
    return value;
  }
};

inline Json ties_of(int video, int audio) {
  return {{"video", video}, {"audio", audio}};
}

}  // namespace roomd::test::extron_sis
