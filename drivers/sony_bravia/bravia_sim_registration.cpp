#include "drivers/sony_bravia/bravia_sim_registration.hpp"

#include "base/units.hpp"
#include "drivers/sim/named_values.hpp"
#include "drivers/sim/serve_line.hpp"
#include "drivers/sony_bravia/bravia_simulator.hpp"

#include <chrono>
#include <memory>

namespace roomd::sony_bravia {
namespace {

using sim::OptionKind;

constexpr std::pair<std::string_view, Fault> kFaults[] = {
    {"none", Fault::none},
    {"no_answer", Fault::no_answer},
    {"error_answers", Fault::error_answers},
    {"drop_connection", Fault::drop_connection},
    {"garbage", Fault::garbage},
};

sim::StartedSimulator start(boost::asio::io_context& io, const sim::SimulatorArguments& args) {
  const auto line = sim::ServeLine::from(args);
  SimulatorOptions options;
  options.port = line.port;
  options.bind = line.bind;
  options.powered_on = args.flag("--on");
  options.notify_before_answer = args.flag("--notify-before");
  options.idle_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(args.duration("--idle"));
  auto simulator = std::make_shared<BraviaSimulator>(io.get_executor(), options);
  simulator->set_fault(sim::value_of(kFaults, args.text("--fault")));
  auto where = sim::open_line(
      line, [&](const std::string& link) { return simulator->open_pty(link); },
      [&] { return simulator->listen_tcp(); });
  const bool idles = options.idle_timeout.count() > 0 && !line.pty;
  return {.banner = "Sony Bravia Simple IP simulator serving " + where + " (" +
                    (options.powered_on ? "powered on" : "in standby") + ", idle disconnect " +
                    (idles ? duration_text(options.idle_timeout) : "off") + ")",
          .stop = [simulator] {
            simulator->close_pty();
            simulator->stop_tcp();
          }};
}

}  // namespace

sim::SimulatorRegistration simulator_registration() {
  // The display's Simple IP port by default, so a config's default works.
  auto options = sim::serve_line_options(20060);
  options.insert(options.end(),
                 {sim::powered_on_option(),
                  {.name = "--idle",
                   .kind = OptionKind::duration,
                   .default_value = "30s",
                   .help = "close TCP connections silent this long (0s: never)",
                   .value_name = "DURATION"},
                  {.name = "--notify-before",
                   .help = "send a change's notify frames before the command's answer"},
                  sim::fault_option(sim::names_of(kFaults))});
  return {.name = "sony_bravia",
          .driver = "sony_bravia",
          .serves = "a Sony Bravia display speaking Simple IP on TCP or RS-232",
          .options = std::move(options),
          .start = start};
}

}  // namespace roomd::sony_bravia
