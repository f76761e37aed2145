#include "base/units.hpp"
#include "drivers/extron_sis/extron_simulator.hpp"
#include "main/cli.hpp"
#include "main/simulate_support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdio>
#include <functional>
#include <random>

namespace roomd::cli {
namespace {

constexpr const char* kName = "roomd simulate extron_sis";

std::optional<extron::Fault> parse_fault(const std::string& name) {
  if (name == "none") return extron::Fault::none;
  if (name == "no_answer") return extron::Fault::no_answer;
  if (name == "error_reply") return extron::Fault::error_reply;
  if (name == "drop_connection") return extron::Fault::drop_connection;
  if (name == "garbage") return extron::Fault::garbage;
  return std::nullopt;
}

}  // namespace

int simulate_extron_sis(const Args& args) {
  auto unknown =
      args.unknown({"--port", "--bind", "--pty", "--link", "--password", "--user-password",
                    "--refuse-e10", "--inputs", "--outputs", "--volume-max", "--zero-pad", "--idle",
                    "--fault", "--error", "--front-panel"});
  if (!unknown.empty()) {
    std::fprintf(stderr, "%s: unknown option %s\n", kName, unknown[0].c_str());
    return kUsage;
  }
  extron::SimulatorOptions options;
  ServeOptions serve;
  extron::Fault fault = extron::Fault::none;
  std::string error_code = "E10";
  std::optional<Duration> front_panel_every;
  try {
    serve = serve_options(args, 23);
    if (auto n = args.integer("--inputs", 1, 999)) options.inputs = *n;
    if (auto n = args.integer("--outputs", 1, 999)) options.outputs = *n;
    if (auto n = args.integer("--volume-max", 1, 1000)) options.volume_max = *n;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "%s: %s\n", kName, e.what());
    return kUsage;
  }
  if (auto p = args.value("--password")) options.password = *p;
  if (auto p = args.value("--user-password")) options.user_password = *p;
  options.refuse_with_e10 = args.flag("--refuse-e10");
  options.zero_pad = args.flag("--zero-pad");
  if (auto text = args.value("--idle")) {
    auto d = parse_duration(*text);
    if (!d) {
      std::fprintf(stderr, "%s: --idle expects a duration such as 5m\n", kName);
      return kUsage;
    }
    options.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  }
  if (auto text = args.value("--front-panel")) {
    front_panel_every = parse_duration(*text);
    if (!front_panel_every || front_panel_every->count() <= 0) {
      std::fprintf(stderr, "%s: --front-panel expects a duration such as 10s\n", kName);
      return kUsage;
    }
  }
  if (auto name = args.value("--fault")) {
    auto f = parse_fault(*name);
    if (!f) {
      std::fprintf(stderr,
                   "%s: unknown --fault %s (none, no_answer, error_reply, drop_connection, "
                   "garbage)\n",
                   kName, name->c_str());
      return kUsage;
    }
    fault = *f;
  }
  if (auto code = args.value("--error")) error_code = *code;

  boost::asio::io_context io;
  extron::ExtronSimulator simulator(io.get_executor(), options);
  simulator.set_fault(fault, error_code);
  auto where = open_line(
      serve, kName, [&](const std::string& link) { return simulator.open_pty(link); },
      [&] { return simulator.listen_tcp(serve.bind, serve.port); },
      {.pty = "RS-232 on ", .tcp = "telnet ", .low_port_hint = true});
  if (!where) return kFailure;
  std::printf("Extron SIS simulator (%s, %dx%d) serving %s, %s\n", options.model.c_str(),
              options.inputs, options.outputs, where->c_str(),
              options.password.empty() ? "no password" : "password required");
  std::fflush(stdout);

  // A demo aid: someone at the front panel making ties now and then.
  boost::asio::steady_timer front_panel(io);
  std::minstd_rand rng(std::random_device{}());
  std::function<void()> next_tie = [&] {
    front_panel.expires_after(*front_panel_every);
    front_panel.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      std::uniform_int_distribution<int> input(1, options.inputs);
      std::uniform_int_distribution<int> output(1, options.outputs);
      simulator.front_panel_tie(input(rng), output(rng), '!');
      next_tie();
    });
  };
  if (front_panel_every) next_tie();

  run_until_signal(io, [&] {
    front_panel.cancel();
    simulator.stop_tcp();
    simulator.close_pty();
  });
  return kOk;
}

}  // namespace roomd::cli
