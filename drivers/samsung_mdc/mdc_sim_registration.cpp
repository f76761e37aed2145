#include "drivers/samsung_mdc/mdc_sim_registration.hpp"

#include "drivers/samsung_mdc/mdc_simulator.hpp"
#include "drivers/sim/named_values.hpp"
#include "drivers/sim/serve_line.hpp"

#include <memory>

namespace roomd::samsung_mdc {
namespace {

using sim::OptionKind;

constexpr std::pair<std::string_view, Fault> kFaults[] = {
    {"none", Fault::none},         {"no_answer", Fault::no_answer},
    {"nak", Fault::nak},           {"drop_connection", Fault::drop_connection},
    {"garbage", Fault::garbage},   {"bad_checksum", Fault::bad_checksum},
    {"wrong_id", Fault::wrong_id},
};

sim::StartedSimulator start(boost::asio::io_context& io, const sim::SimulatorArguments& args) {
  const auto line = sim::ServeLine::from(args);
  std::vector<std::uint8_t> ids;
  std::string id_list;
  for (const auto& id : args.texts("--id")) {
    ids.push_back(static_cast<std::uint8_t>(std::stoi(id)));
    id_list += (id_list.empty() ? "" : ",") + id;
  }
  auto simulator = std::make_shared<MdcSimulator>(io.get_executor(), ids);
  simulator->set_fault(sim::value_of(kFaults, args.text("--fault")),
                       static_cast<std::uint8_t>(args.integer("--nak-error")));
  const bool on = args.flag("--on");
  for (auto id : ids) {
    auto state = simulator->state(id);
    state.power = on;
    simulator->set_state(id, state);
  }
  auto where = sim::open_line(
      line, [&](const std::string& link) { return simulator->open_pty(link); },
      [&] { return simulator->listen_tcp(line.port, line.bind); });
  return {.banner = "Samsung MDC simulator serving " + where + ", display id " + id_list + " (" +
                    (on ? "powered on" : "powered off") + ")",
          .stop = [simulator] { simulator->stop(); }};
}

}  // namespace

sim::SimulatorRegistration simulator_registration() {
  // The display's MDC port by default, so a config's default works.
  auto options = sim::serve_line_options(1515);
  options.insert(options.end(),
                 {{.name = "--id",
                   .kind = OptionKind::integer,
                   .default_value = "1",
                   .help = "a display id it answers (repeat for a daisy chain); others: silence",
                   .value_name = "N",
                   .min = 0,
                   .max = 253,
                   .repeatable = true},
                  sim::powered_on_option(),
                  sim::fault_option(sim::names_of(kFaults)),
                  {.name = "--nak-error",
                   .kind = OptionKind::integer,
                   .default_value = std::to_string(kNakBadValue),
                   .help = "the error byte --fault nak answers",
                   .value_name = "N",
                   .min = 0,
                   .max = 255}});
  return {.name = "samsung_mdc",
          .driver = "samsung_mdc",
          .serves = "a Samsung display speaking MDC on TCP or RS-232",
          .options = std::move(options),
          .start = start};
}

}  // namespace roomd::samsung_mdc
