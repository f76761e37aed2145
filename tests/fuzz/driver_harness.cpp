#include "tests/fuzz/driver_harness.hpp"

#include "runtime/driver_registry.hpp"
#include "runtime/module.hpp"
#include "runtime/module_manager.hpp"
#include "runtime/sdk/printable.hpp"
#include "tests/support/fake_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace roomd::fuzz {
namespace {

constexpr const char* kModuleId = "mod-fuzz";

// A module alone in its system: a device driver never calls peers.
class NoPeers final : public ModuleDirectory {
 public:
  Module* find_peer(const std::string&, std::string_view, int) override { return nullptr; }
  std::vector<PeerInfo> peers_of(const std::string&) override { return {}; }
};

// ROOMD_FUZZ_TRACE=1 prints what an input does: to read a crash input, or to check a seed.
const bool kTrace = std::getenv("ROOMD_FUZZ_TRACE") != nullptr;

// Callers check kTrace first: building the line costs more than a step.
void trace(const std::string& line) {
  std::fprintf(stderr, "%s\n", line.c_str());
}

std::string outcome(std::exception_ptr error, const Json& value) {
  if (!error) return "-> " + to_text(value);
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return "failed: " + std::string(e.what());
  }
}

[[noreturn]] void finding(const std::string& what, const std::string& detail) {
  std::fprintf(stderr, "driver fuzz: %s%s%s\n", what.c_str(), detail.empty() ? "" : ": ",
               detail.c_str());
  std::abort();
}

// Built once per process: registering the drivers costs more than a whole iteration.
struct Process {
  Process() {
    register_builtin_drivers(registry);
    // Asio gives each new strand a mutex from a pool it fills lazily (193 slots, picked by a
    // hash). Filled now, an input frees everything it allocates, and libFuzzer does not take
    // every input for a possible leak, re-running it and scanning the heap.
    for (int i = 0; i < 8192; ++i) (void)asio::make_strand(io);
  }
  DriverRegistry registry;
  asio::io_context io;
  NoPeers peers;
  std::set<std::string> checked;  // drivers whose settings and calls were checked
};

Process& process() {
  static Process p;
  return p;
}

// Runs every handler that is ready, including timers that are due (zero-delay ones); timers
// further out (polls, reply timeouts) never fire, so an input replays the same way every time.
void drain(asio::io_context& io) {
  do {
    io.restart();
  } while (io.poll() > 0);
}

const DriverRegistration& registration(const DriverFuzzSpec& spec) {
  auto& p = process();
  const auto* driver = p.registry.find(spec.driver);
  if (!driver) finding("harness", "no built-in driver " + spec.driver);
  if (spec.settings.empty()) finding("harness", spec.driver + " has no settings variant");
  if (p.checked.insert(spec.driver).second) {
    for (const auto& variant : spec.settings) {
      if (!driver->info.check_settings) break;
      auto problems = driver->info.check_settings(merged_settings(driver->info, variant));
      if (!problems.empty())
        finding("harness", spec.driver + " settings " + variant.dump() + ": " +
                               problems.front().path + " " + problems.front().message);
    }
    for (const auto& call : spec.calls) {
      const auto* method = driver->methods->find(call.method);
      if (!method) finding("harness", spec.driver + " has no method " + call.method);
      try {
        MethodTable::bind_arguments(method->info, call.args);
      } catch (const std::exception& e) {
        finding("harness", spec.driver + " " + call.method + call.args.dump() + ": " + e.what());
      }
    }
  }
  return *driver;
}

}  // namespace

int fuzz_driver(const DriverFuzzSpec& spec, const std::uint8_t* data, std::size_t size) {
  auto& p = process();
  const auto& driver = registration(spec);
  FuzzedDataProvider input(data, size);
  const auto& settings =
      spec.settings[input.ConsumeIntegralInRange<std::size_t>(0, spec.settings.size() - 1)];

  // Fresh per input, so one input's state never leaks into the next.
  StateStore state;
  LogHub logs(LogLevel::trace);  // every record is formatted: device bytes reach printable()
  logs.set_stderr(false);
  std::string last_error;
  auto tap = logs.tap(LogLevel::error,
                      [&](const LogRecord& record) { last_error = std::string(record.message); });
  test::FakeLine line("fake line");
  if (kTrace) {
    trace("settings " + to_text(settings));
    line.on_write(
        [](std::string_view bytes) { trace("  module wrote \"" + printable(bytes) + "\""); });
  }
  ModuleConfig config;
  config.id = kModuleId;
  config.driver = spec.driver;
  config.name = driver.info.generic_name;
  config.json_path = "modules[0]";
  int calls = 0;
  int answered = 0;
  {
    Module module(p.io.get_executor(), config, driver, merged_settings(driver.info, settings),
                  state, logs.logger(kModuleId, driver.info.name), p.peers, line.factory());
    module.start();
    line.connect();
    drain(p.io);
    while (input.remaining_bytes() > 0) {
      const auto step = input.ConsumeIntegral<std::uint8_t>();
      const unsigned arg = step & 0x3F;
      switch (step >> 6) {
        case 0:
        case 1: {
          auto bytes = input.ConsumeBytesAsString(1 + arg);
          if (kTrace) trace("device sends \"" + printable(bytes) + "\"");
          line.send(std::move(bytes));
          // Without the drain the next step lands before the module has reacted.
          if ((step >> 6) == 0) drain(p.io);
          break;
        }
        case 2: {
          if (spec.calls.empty()) break;
          const auto& call = spec.calls[(arg & 0x1F) % spec.calls.size()];
          ++calls;
          if (kTrace) trace("call " + call.method + to_text(call.args));
          module.exec(call.method, call.args,
                      [&answered, name = call.method](std::exception_ptr error, Json value) {
                        ++answered;
                        if (kTrace) trace("  " + name + " " + outcome(error, value));
                      });
          // Drained, the command is on the wire before the device's next bytes arrive.
          if (arg & 0x20) drain(p.io);
          break;
        }
        default:
          if (kTrace) trace(std::array{"link down", "link up", "link bounces", "restart"}[arg % 4]);
          switch (arg % 4) {
            case 0:
              line.disconnect();
              break;
            case 1:
              line.connect();
              break;
            case 2:
              line.disconnect();
              drain(p.io);
              line.connect();
              break;
            default:
              module.stop();
              drain(p.io);
              module.start();
              break;
          }
          drain(p.io);
      }
    }
    drain(p.io);
    if (module.restarts() > 0) finding("the module failed on the device's bytes", last_error);
    module.stop();
    drain(p.io);
    if (answered != calls)
      finding("calls left unanswered after the module stopped",
              std::to_string(calls - answered) + " of " + std::to_string(calls));
  }
  drain(p.io);
  if (!p.io.stopped()) finding("work left pending once the module was gone", "");
  return 0;
}

}  // namespace roomd::fuzz
