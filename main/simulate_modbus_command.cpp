#include "drivers/modbus_sensor/modbus_simulator.hpp"
#include "main/cli.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace roomd::cli {
namespace {

using namespace std::chrono_literals;
using modbus::Table;

// Believable rooms: CO2 that rises and falls, a temperature that wanders.
bool add_preset(modbus::Simulator& sim, int unit, const std::string& preset) {
  sim.add_unit(unit);
  if (preset == "s8") {
    sim.set_value(unit, Table::input_register, 0, 0);
    sim.set_value(unit, Table::input_register, 3, 650);
    sim.drift(unit, Table::input_register, 3, 7, 2s, 450, 1400);
    return true;
  }
  if (preset == "xy_md02") {
    sim.set_value(unit, Table::input_register, 1, 215);
    sim.set_value(unit, Table::input_register, 2, 452);
    sim.drift(unit, Table::input_register, 1, 1, 3s, 200, 245);
    sim.drift(unit, Table::input_register, 2, 3, 5s, 400, 600);
    return true;
  }
  return preset == "empty";
}

}  // namespace

int simulate_modbus(const Args& args) {
  auto unknown = args.unknown({"--port", "--bind", "--rtu", "--link", "--unit"});
  if (!unknown.empty()) {
    std::fprintf(stderr, "roomd simulate modbus: unknown option %s\n", unknown[0].c_str());
    return kUsage;
  }
  modbus::Simulator::Options options;
  options.rtu = args.flag("--rtu");
  if (auto port = args.integer("--port", 0, 65535))
    options.port = static_cast<std::uint16_t>(*port);
  if (auto bind = args.value("--bind")) options.bind = *bind;
  modbus::Simulator sim(options);
  auto units = args.values("--unit");
  if (units.empty()) units = {"1:xy_md02"};
  for (const auto& spec : units) {
    auto colon = spec.find(':');
    auto unit = parse_int(std::string_view(spec).substr(0, colon), 0, 255);
    auto preset = colon == std::string::npos ? "empty" : spec.substr(colon + 1);
    if (!unit || !add_preset(sim, *unit, preset)) {
      std::fprintf(stderr,
                   "roomd simulate modbus: bad --unit %s (expected ID:PRESET, ID 0-255, presets "
                   "s8, xy_md02, empty)\n",
                   spec.c_str());
      return kUsage;
    }
  }
  // Block the stop signals before the simulator's threads start, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  sim.start();
  std::string where;
  if (options.rtu) {
    where = "RTU on " + sim.device_path();
    if (auto link = args.value("--link")) {
      std::filesystem::remove(*link);
      std::filesystem::create_symlink(sim.device_path(), *link);
      where += " (linked as " + *link + ")";
    }
  } else {
    where = "TCP " + options.bind + ":" + std::to_string(sim.port());
  }
  std::printf("Modbus simulator serving %s, units:", where.c_str());
  for (const auto& spec : units) std::printf(" %s", spec.c_str());
  std::printf("\n");
  std::fflush(stdout);
  int signo = 0;
  sigwait(&stop_signals, &signo);
  sim.stop();
  if (auto link = args.value("--link"); link && options.rtu) std::filesystem::remove(*link);
  return kOk;
}

}  // namespace roomd::cli
