#include "base/units.hpp"
#include "drivers/pjlink/pjlink_simulator.hpp"
#include "main/cli.hpp"
#include "main/simulate_support.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>

namespace roomd::cli {
namespace {

int simulate_pjlink(const Args& args) {
  auto unknown = args.unknown({"--port", "--password", "--bind", "--warmup", "--cooldown", "--on"});
  if (!unknown.empty()) {
    std::fprintf(stderr, "roomd simulate pjlink: unknown option %s\n", unknown[0].c_str());
    return kUsage;
  }
  pjlink::SimulatorOptions options;
  if (auto port = args.integer("--port", 0, 65535))
    options.port = static_cast<std::uint16_t>(*port);
  if (auto password = args.value("--password")) options.password = *password;
  if (auto bind = args.value("--bind")) options.bind = *bind;
  options.powered_on = args.flag("--on");
  for (auto [flag, target] :
       {std::pair{"--warmup", &options.warmup}, std::pair{"--cooldown", &options.cooldown}}) {
    if (auto text = args.value(flag)) {
      auto d = parse_duration(*text);
      if (!d) {
        std::fprintf(stderr, "roomd simulate pjlink: %s expects a duration such as 2s\n", flag);
        return kUsage;
      }
      *target = *d;
    }
  }
  boost::asio::io_context io;
  pjlink::PjlinkSimulator simulator(io.get_executor(), options);
  auto port = simulator.start();
  std::printf("PJLink simulator listening on %s:%u (%s, %s)\n", options.bind.c_str(), port,
              options.password.empty() ? "no password" : "password required",
              options.powered_on ? "powered on" : "in standby");
  std::fflush(stdout);
  run_until_signal(io, [&] { simulator.stop(); });
  return kOk;
}

}  // namespace

int simulate(const Args& args) {
  auto what = args.positional({"--port", "--password", "--bind", "--warmup", "--cooldown", "--unit",
                               "--link", "--idle", "--fault", "--user-password", "--inputs",
                               "--outputs", "--volume-max", "--error", "--id", "--nak-error"});
  if (what.size() == 1 && what[0] == "pjlink") return simulate_pjlink(args);
  if (what.size() == 1 && what[0] == "modbus") return simulate_modbus(args);
  if (what.size() == 1 && what[0] == "samsung_mdc") return simulate_samsung_mdc(args);
  if (what.size() == 1 && what[0] == "extron_sis") return simulate_extron_sis(args);
  if (what.size() == 1 && what[0] == "sony_bravia") return simulate_sony_bravia(args);
  std::fprintf(
      stderr,
      "usage: roomd simulate modbus [--port N | --rtu [--link PATH]] [--unit ID:PRESET]...\n"
      "       roomd simulate extron_sis [--port N | --pty [--link PATH]] [--password P]\n"
      "                             [--inputs 8] [--outputs 8] [--fault NAME [--error E13]]\n"
      "       roomd simulate pjlink [--port N] [--password P] [--bind ADDR] [--on]\n"
      "                             [--warmup 2s] [--cooldown 2s]\n"
      "       roomd simulate samsung_mdc [--port N | --pty [--link PATH]] [--bind ADDR]\n"
      "                             [--id N]... [--on] [--fault NAME [--nak-error N]]\n"
      "       roomd simulate sony_bravia [--port N | --pty [--link PATH]] [--bind ADDR] [--on]\n"
      "                             [--idle 30s] [--notify-before] [--fault NAME]\n");
  return kUsage;
}

}  // namespace roomd::cli
