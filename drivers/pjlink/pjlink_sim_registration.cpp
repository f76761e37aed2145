#include "drivers/pjlink/pjlink_sim_registration.hpp"

#include "drivers/pjlink/pjlink_simulator.hpp"
#include "drivers/sim/serve_line.hpp"

#include <chrono>
#include <memory>

namespace roomd::pjlink {
namespace {

using sim::OptionKind;

sim::StartedSimulator start(boost::asio::io_context& io, const sim::SimulatorArguments& args) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  SimulatorOptions options;
  const auto line = sim::ServeLine::from(args, nullptr);
  options.port = line.port;
  options.bind = line.bind;
  options.password = args.text("--password");
  options.powered_on = args.flag("--on");
  options.warmup = duration_cast<milliseconds>(args.duration("--warmup"));
  options.cooldown = duration_cast<milliseconds>(args.duration("--cooldown"));
  auto simulator = std::make_shared<PjlinkSimulator>(io.get_executor(), options);
  auto where = sim::open_line(line, nullptr, [&] { return simulator->start(); },
                              {.tcp = "", .low_port_hint = true});
  return {.banner = "PJLink simulator listening on " + where + " (" +
                    (options.password.empty() ? "no password" : "password required") + ", " +
                    (options.powered_on ? "powered on" : "in standby") + ")",
          .stop = [simulator] { simulator->stop(); }};
}

}  // namespace

sim::SimulatorRegistration simulator_registration() {
  auto options = sim::serve_line_options(0, nullptr);
  options.insert(options.end(), {{.name = "--password",
                                  .kind = OptionKind::text,
                                  .help = "require PJLink authentication with this password",
                                  .value_name = "P"},
                                 sim::powered_on_option(),
                                 {.name = "--warmup",
                                  .kind = OptionKind::duration,
                                  .default_value = "2s",
                                  .help = "how long powering on takes",
                                  .value_name = "DURATION"},
                                 {.name = "--cooldown",
                                  .kind = OptionKind::duration,
                                  .default_value = "2s",
                                  .help = "how long powering off takes",
                                  .value_name = "DURATION"}});
  return {.name = "pjlink",
          .driver = "pjlink",
          .serves = "a PJLink class 1 projector on TCP",
          .options = std::move(options),
          .start = start};
}

}  // namespace roomd::pjlink
