#include "drivers/modbus_sensor/modbus_sim_registration.hpp"

#include "drivers/modbus_sensor/modbus_simulator.hpp"
#include "drivers/sim/serve_line.hpp"

#include <charconv>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace roomd::modbus {
namespace {

using namespace std::chrono_literals;
using sim::OptionKind;

// Believable rooms: CO2 that rises and falls, a temperature that wanders.
bool add_preset(Simulator& simulator, int unit, std::string_view preset) {
  simulator.add_unit(unit);
  if (preset == "s8") {
    simulator.set_value(unit, Table::input_register, 0, 0);
    simulator.set_value(unit, Table::input_register, 3, 650);
    simulator.drift(unit, Table::input_register, 3, 7, 2s, 450, 1400);
    return true;
  }
  if (preset == "xy_md02") {
    simulator.set_value(unit, Table::input_register, 1, 215);
    simulator.set_value(unit, Table::input_register, 2, 452);
    simulator.drift(unit, Table::input_register, 1, 1, 3s, 200, 245);
    simulator.drift(unit, Table::input_register, 2, 3, 5s, 400, 600);
    return true;
  }
  return preset == "empty";
}

// "104:s8": a unit id 0-255 and a preset (none: empty).
void add_unit(Simulator& simulator, std::string_view spec) {
  const auto colon = spec.find(':');
  const auto id = spec.substr(0, colon);
  const auto preset = colon == std::string_view::npos ? "empty" : spec.substr(colon + 1);
  int unit = -1;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), unit);
  if (ec != std::errc() || end != id.data() + id.size() || unit < 0 || unit > 255 ||
      !add_preset(simulator, unit, preset))
    throw std::invalid_argument("bad --unit " + std::string(spec) +
                                " (expected ID:PRESET, ID 0-255, presets s8, xy_md02, empty)");
}

sim::StartedSimulator start(boost::asio::io_context&, const sim::SimulatorArguments& args) {
  const auto line = sim::ServeLine::from(args, "--rtu");
  Simulator::Options options;
  options.bind = line.bind;
  options.port = line.port;
  options.rtu = line.pty;
  auto simulator = std::make_shared<Simulator>(options);
  std::string units;
  for (const auto& spec : args.texts("--unit")) {
    add_unit(*simulator, spec);
    units += " " + spec;
  }
  auto where = sim::open_line(
      line,
      [&](const std::string& link) {
        simulator->start();
        if (!link.empty()) {
          std::filesystem::remove(link);
          std::filesystem::create_symlink(simulator->device_path(), link);
        }
        return simulator->device_path();
      },
      [&] {
        simulator->start();
        return simulator->port();
      },
      {.pty = "RTU on "});
  return {.banner = "Modbus simulator serving " + where + ", units:" + units,
          .stop = [simulator, link = line.link] {
            simulator->stop();
            if (!link.empty()) std::filesystem::remove(link);
          }};
}

}  // namespace

sim::SimulatorRegistration simulator_registration() {
  auto options = sim::serve_line_options(0, "--rtu");
  options.push_back({.name = "--unit",
                     .kind = OptionKind::text,
                     .default_value = "1:xy_md02",
                     .help = "a unit and its registers: ID:PRESET, presets s8 (CO2 at input 3), "
                             "xy_md02 (temperature, humidity at inputs 1-2), empty",
                     .value_name = "ID:PRESET",
                     .repeatable = true});
  return {.name = "modbus",
          .driver = "modbus_sensor",
          .serves = "Modbus sensors on TCP or RTU, their values drifting over time",
          .options = std::move(options),
          .start = start};
}

}  // namespace roomd::modbus
