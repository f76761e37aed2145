// The Extron SIS driver's test fixture: a runtime with one extron_sis module wired to the
// simulator over TCP or a pty, plus helpers for byte-exact transcripts and log checks.
#pragma once

#include "drivers/extron_sis/extron_simulator.hpp"
#include "drivers/extron_sis/extron_sis.hpp"
#include "runtime/runtime.hpp"
#include "tests/support/exec.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
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

struct LoggedRecord {
  LogLevel level;
  std::string message;
};

struct Switcher {
  asio::io_context io;
  test::TempDir dir;
  ex::ExtronSimulator simulator;
  DriverRegistry registry;
  std::unique_ptr<Runtime> runtime;
  std::vector<LoggedRecord> records;
  int connected_true = 0;
  Subscription log_subscription;
  Subscription connected_subscription;

  explicit Switcher(const Options& options = {}) : simulator(io.get_executor(), options.sim) {
    register_builtin_drivers(registry);
    Config config;
    config.box.id = "box-test";
    config.box.state_dir = dir.path();
    config.log_level = LogLevel::fatal;
    Json settings = {{"timeout", "300ms"}, {"keepalive_every", "1h"}, {"outputs", 4}};
    settings.update(options.settings);
    ModuleConfig module{"mod-sw", "extron_sis", "Switcher", {}, settings, {}, "modules[0]"};
    if (options.serial) {
      SerialTransportConfig serial;
      serial.port.path = simulator.open_pty();
      serial.backoff_min = 20ms;
      serial.backoff_max = 100ms;
      module.transport = serial;
    } else {
      TcpTransportConfig tcp;
      tcp.host = "127.0.0.1";
      tcp.port = simulator.listen_tcp();
      tcp.backoff_min = 20ms;
      tcp.backoff_max = 100ms;
      module.transport = tcp;
    }
    config.modules = {module};
    config.systems = {{"sys-1", "Room", {"mod-sw"}}};
    auto errors = check_modules(config, registry);
    INFO((errors.empty() ? std::string() : errors.front().text()));
    REQUIRE(errors.empty());

    runtime = std::make_unique<Runtime>(io, config, registry);
    runtime->logs().set_stderr(false);
    log_subscription =
        runtime->logs().subscribe("mod-sw", LogLevel::trace, [this](const LogRecord& record) {
          records.push_back({record.level, std::string(record.message)});
        });
    connected_subscription = runtime->state().subscribe(
        "mod-sw", "connected", [this](std::string_view, std::string_view, const Json& value) {
          if (value == Json(true)) ++connected_true;
        });
    runtime->start();
  }

  ~Switcher() {
    runtime->stop();
    io.run_for(50ms);
  }

  Module& module() { return *runtime->modules().module("mod-sw"); }
  Json state(const char* name) {
    return runtime->state().get("mod-sw", name).value_or(Json(nullptr));
  }
  bool connected() { return state("connected") == Json(true); }
  std::pair<Json, std::string> exec(const std::string& method, Json args) {
    return test::exec_and_wait(io, module(), method, std::move(args));
  }

  std::vector<std::string> logged(LogLevel level, const std::string& text) const {
    std::vector<std::string> out;
    for (const auto& r : records)
      if (r.level >= level && r.message.find(text) != std::string::npos) out.push_back(r.message);
    return out;
  }

  std::size_t count_received(const std::string& bytes) const {
    auto all = simulator.received();
    return static_cast<std::size_t>(std::count(all.begin(), all.end(), bytes));
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
