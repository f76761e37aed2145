#include "drivers/samsung_mdc/mdc_simulator.hpp"
#include "main/cli.hpp"
#include "main/simulate_support.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <string>

namespace roomd::cli {
namespace {

constexpr const char* kFaultNames =
    "none, no_answer, nak, drop_connection, garbage, bad_checksum or wrong_id";

std::optional<samsung_mdc::Fault> parse_fault(const std::string& name) {
  using samsung_mdc::Fault;
  if (name == "none") return Fault::none;
  if (name == "no_answer") return Fault::no_answer;
  if (name == "nak") return Fault::nak;
  if (name == "drop_connection") return Fault::drop_connection;
  if (name == "garbage") return Fault::garbage;
  if (name == "bad_checksum") return Fault::bad_checksum;
  if (name == "wrong_id") return Fault::wrong_id;
  return std::nullopt;
}

}  // namespace

int simulate_samsung_mdc(const Args& args) {
  auto unknown = args.unknown(
      {"--port", "--bind", "--pty", "--link", "--id", "--on", "--fault", "--nak-error"});
  if (!unknown.empty()) {
    std::fprintf(stderr, "roomd simulate samsung_mdc: unknown option %s\n", unknown[0].c_str());
    return kUsage;
  }
  ServeOptions serve;
  std::vector<std::uint8_t> ids;
  std::uint8_t nak_error = samsung_mdc::kNakBadValue;
  try {
    serve = serve_options(args, 1515);  // the display's MDC port, so a config's default works
    if (auto e = args.integer("--nak-error", 0, 255)) nak_error = static_cast<std::uint8_t>(*e);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "roomd simulate samsung_mdc: %s\n", e.what());
    return kUsage;
  }
  for (const auto& text : args.values("--id")) {
    auto id = parse_int(text, 0, 253);
    if (!id) {
      std::fprintf(stderr, "roomd simulate samsung_mdc: bad --id %s (expected 0-253)\n",
                   text.c_str());
      return kUsage;
    }
    ids.push_back(static_cast<std::uint8_t>(*id));
  }
  if (ids.empty()) ids = {1};
  auto fault = samsung_mdc::Fault::none;
  if (auto text = args.value("--fault")) {
    auto parsed = parse_fault(*text);
    if (!parsed) {
      std::fprintf(stderr, "roomd simulate samsung_mdc: unknown --fault %s (use %s)\n",
                   text->c_str(), kFaultNames);
      return kUsage;
    }
    fault = *parsed;
  }
  boost::asio::io_context io;
  samsung_mdc::MdcSimulator simulator(io.get_executor(), ids);
  simulator.set_fault(fault, nak_error);
  if (args.flag("--on")) {
    for (auto id : ids) {
      auto state = simulator.state(id);
      state.power = true;
      simulator.set_state(id, state);
    }
  }
  auto where = open_line(
      serve, "roomd simulate samsung_mdc",
      [&](const std::string& link) { return simulator.open_pty(link); },
      [&] { return simulator.listen_tcp(serve.port, serve.bind); });
  if (!where) return kFailure;
  std::string id_list;
  for (auto id : ids) id_list += (id_list.empty() ? "" : ",") + std::to_string(id);
  std::printf("Samsung MDC simulator serving %s, display id %s (%s)\n", where->c_str(),
              id_list.c_str(), args.flag("--on") ? "powered on" : "powered off");
  std::fflush(stdout);
  run_until_signal(io, [&] { simulator.stop(); });
  return kOk;
}

}  // namespace roomd::cli
