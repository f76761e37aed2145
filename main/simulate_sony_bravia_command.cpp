#include "base/units.hpp"
#include "drivers/sony_bravia/bravia_simulator.hpp"
#include "main/cli.hpp"
#include "main/simulate_support.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <string>

namespace roomd::cli {
namespace {

std::optional<sony_bravia::Fault> parse_fault(const std::string& name) {
  using sony_bravia::Fault;
  if (name == "none") return Fault::none;
  if (name == "no_answer") return Fault::no_answer;
  if (name == "error_answers") return Fault::error_answers;
  if (name == "drop_connection") return Fault::drop_connection;
  if (name == "garbage") return Fault::garbage;
  return std::nullopt;
}

}  // namespace

int simulate_sony_bravia(const Args& args) {
  auto unknown = args.unknown(
      {"--port", "--bind", "--pty", "--link", "--on", "--idle", "--notify-before", "--fault"});
  if (!unknown.empty()) {
    std::fprintf(stderr, "roomd simulate sony_bravia: unknown option %s\n", unknown[0].c_str());
    return kUsage;
  }
  sony_bravia::SimulatorOptions options;
  // The display's Simple IP port by default, so a config's default works.
  const auto serve = serve_options(args, 20060);
  options.port = serve.port;
  options.bind = serve.bind;
  options.powered_on = args.flag("--on");
  options.notify_before_answer = args.flag("--notify-before");
  if (auto text = args.value("--idle")) {
    auto idle = parse_duration(*text);
    if (!idle) {
      std::fprintf(stderr, "roomd simulate sony_bravia: --idle expects a duration such as 30s\n");
      return kUsage;
    }
    options.idle_timeout = *idle;
  }
  auto fault = sony_bravia::Fault::none;
  if (auto text = args.value("--fault")) {
    auto parsed = parse_fault(*text);
    if (!parsed) {
      std::fprintf(stderr,
                   "roomd simulate sony_bravia: unknown --fault %s (use no_answer, error_answers, "
                   "drop_connection or garbage)\n",
                   text->c_str());
      return kUsage;
    }
    fault = *parsed;
  }
  boost::asio::io_context io;
  sony_bravia::BraviaSimulator simulator(io.get_executor(), options);
  simulator.set_fault(fault);
  auto where = open_line(
      serve, "roomd simulate sony_bravia",
      [&](const std::string& link) { return simulator.open_pty(link); },
      [&] { return simulator.listen_tcp(); });
  if (!where) return kFailure;
  std::printf("Sony Bravia Simple IP simulator serving %s (%s, idle disconnect %s)\n",
              where->c_str(), options.powered_on ? "powered on" : "in standby",
              options.idle_timeout.count() > 0 && !serve.pty
                  ? (std::to_string(options.idle_timeout.count()) + " ms").c_str()
                  : "off");
  std::fflush(stdout);
  run_until_signal(io, [&] {
    simulator.close_pty();
    simulator.stop_tcp();
  });
  return kOk;
}

}  // namespace roomd::cli
