#include "drivers/extron_sis/extron_sim_registration.hpp"

#include "drivers/extron_sis/extron_simulator.hpp"
#include "drivers/sim/named_values.hpp"
#include "drivers/sim/serve_line.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>

namespace roomd::extron {
namespace {

using sim::OptionKind;

constexpr std::pair<std::string_view, Fault> kFaults[] = {
    {"none", Fault::none},
    {"no_answer", Fault::no_answer},
    {"error_reply", Fault::error_reply},
    {"drop_connection", Fault::drop_connection},
    {"garbage", Fault::garbage},
};

// A demo aid: someone at the front panel making a random tie now and then.
class FrontPanel {
 public:
  FrontPanel(boost::asio::io_context& io, ExtronSimulator& simulator, int inputs, int outputs,
             Duration every)
      : timer_(io), simulator_(simulator), input_(1, inputs), output_(1, outputs), every_(every) {}

  void start() {
    if (every_ <= Duration::zero()) return;
    timer_.expires_after(every_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      simulator_.front_panel_tie(input_(rng_), output_(rng_), '!');
      start();
    });
  }
  void stop() { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;
  ExtronSimulator& simulator_;
  std::minstd_rand rng_{std::random_device{}()};
  std::uniform_int_distribution<int> input_;
  std::uniform_int_distribution<int> output_;
  Duration every_;
};

// The simulator and its front panel, alive until the command stops them.
struct Running {
  Running(boost::asio::io_context& io, const SimulatorOptions& options, Duration every)
      : simulator(io.get_executor(), options),
        front_panel(io, simulator, options.inputs, options.outputs, every) {}
  ExtronSimulator simulator;
  FrontPanel front_panel;
};

sim::StartedSimulator start(boost::asio::io_context& io, const sim::SimulatorArguments& args) {
  SimulatorOptions options;
  options.password = args.text("--password");
  options.user_password = args.text("--user-password");
  options.refuse_with_e10 = args.flag("--refuse-e10");
  options.inputs = args.integer("--inputs");
  options.outputs = args.integer("--outputs");
  options.volume_max = args.integer("--volume-max");
  options.zero_pad = args.flag("--zero-pad");
  options.idle_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(args.duration("--idle"));
  const auto every = args.duration("--front-panel");
  if (args.has("--front-panel") && every <= Duration::zero())
    throw std::invalid_argument("--front-panel expects a duration above 0, such as 10s");
  const auto line = sim::ServeLine::from(args);
  auto running = std::make_shared<Running>(io, options, every);
  running->simulator.set_fault(sim::value_of(kFaults, args.text("--fault")), args.text("--error"));
  auto where = sim::open_line(
      line, [&](const std::string& link) { return running->simulator.open_pty(link); },
      [&] { return running->simulator.listen_tcp(line.bind, line.port); },
      {.pty = "RS-232 on ", .tcp = "telnet ", .low_port_hint = true});
  running->front_panel.start();
  return {.banner = "Extron SIS simulator (" + options.model + ", " +
                    std::to_string(options.inputs) + "x" + std::to_string(options.outputs) +
                    ") serving " + where + ", " +
                    (options.password.empty() ? "no password" : "password required"),
          .stop = [running] {
            running->front_panel.stop();
            running->simulator.stop_tcp();
            running->simulator.close_pty();
          }};
}

}  // namespace

sim::SimulatorRegistration simulator_registration() {
  auto options = sim::serve_line_options(23);
  options.insert(
      options.end(),
      {{.name = "--password",
        .kind = OptionKind::text,
        .help = "ask for this administrator password at connect",
        .value_name = "P"},
       {.name = "--user-password",
        .kind = OptionKind::text,
        .help = "a second password that logs in as User",
        .value_name = "P"},
       {.name = "--refuse-e10", .help = "a wrong password answers E10 instead of asking again"},
       {.name = "--inputs",
        .kind = OptionKind::integer,
        .default_value = "8",
        .help = "number of inputs",
        .value_name = "N",
        .min = 1,
        .max = 999},
       {.name = "--outputs",
        .kind = OptionKind::integer,
        .default_value = "8",
        .help = "number of outputs",
        .value_name = "N",
        .min = 1,
        .max = 999},
       {.name = "--volume-max",
        .kind = OptionKind::integer,
        .default_value = "100",
        .help = "top of the volume range",
        .value_name = "N",
        .min = 1,
        .max = 1000},
       {.name = "--zero-pad", .help = "answer \"Out02 In01 All\" instead of \"Out2 In1 All\""},
       {.name = "--idle",
        .kind = OptionKind::duration,
        .default_value = "0s",
        .help = "close telnet sessions silent this long (0s: never; the device uses 5m)",
        .value_name = "DURATION"},
       {.name = "--front-panel",
        .kind = OptionKind::duration,
        .help = "make a random front-panel tie this often",
        .value_name = "DURATION"},
       sim::fault_option(sim::names_of(kFaults)),
       {.name = "--error",
        .kind = OptionKind::text,
        .default_value = "E10",
        .help = "the error code --fault error_reply answers",
        .value_name = "E"}});
  return {.name = "extron_sis",
          .driver = "extron_sis",
          .serves = "an Extron SIS matrix switcher on telnet or RS-232",
          .options = std::move(options),
          .start = start};
}

}  // namespace roomd::extron
