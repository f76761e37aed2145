#include "drivers/modbus_sensor/modbus_sensor.hpp"

#include "base/text.hpp"

#include <cmath>

namespace roomd::modbus {
namespace {

// Scaled values such as 305 * 0.1 should read 30.5, not 30.500000000000004.
Json to_status(double value) {
  double rounded = std::round(value * 1e6) / 1e6;
  if (rounded == std::floor(rounded) && std::fabs(rounded) < 9e15)
    return static_cast<long long>(rounded);
  return rounded;
}

}  // namespace

DriverInfo ModbusSensor::base_info(std::string name, std::string description, Json registers) {
  DriverInfo info;
  info.name = std::move(name);
  info.description = std::move(description);
  info.generic_name = "Sensor";
  info.transport = TransportKind::modbus;
  info.settings = {
      {"registers", "array", std::move(registers),
       "register map: name, table (coil, discrete_input, input, holding), address, type (u16, "
       "s16, u32, s32, f32), order (high_first, low_first), scale, offset, unit, every, "
       "deadband",
       false},
  };
  info.check_settings = [](const Json& settings) {
    std::vector<SettingsProblem> problems;
    parse_register_map(settings.at("registers"), problems);
    return problems;
  };
  return info;
}

DriverInfo ModbusSensor::info() {
  auto info = base_info("modbus_sensor", "generic Modbus sensor configured by a register map",
                        Json::array());
  info.status = {{"<register name>", "number", "one status per register in the map"}};
  return info;
}

Task<void> ModbusSensor::on_load() {
  std::vector<SettingsProblem> problems;
  registers_ = parse_register_map(setting<Json>("registers"), problems);
  if (!problems.empty())
    throw std::invalid_argument("settings." + problems.front().path + ": " +
                                problems.front().message);
  groups_ = plan_polls(registers_);
  failing_.assign(groups_.size(), false);
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    in(Duration::zero(), [this, i] { return poll(i); });
    every(groups_[i].every, [this, i] { return poll(i); });
  }
  co_return;
}

const RegisterSpec& ModbusSensor::find(const std::string& name) const {
  for (const auto& spec : registers_)
    if (spec.name == name) return spec;
  std::string known;
  for (const auto& spec : registers_) known += (known.empty() ? "" : ", ") + spec.name;
  throw BadArguments("no register \"" + excerpt(name) + "\" in the register map of " + id() +
                     " (it has: " + known + ")");
}

void ModbusSensor::require_answered(const RegisterSpec& spec, std::size_t answered,
                                    std::size_t offset) const {
  const std::size_t needed = offset + (is_bit_table(spec.table) ? 1 : register_count(spec.type));
  if (answered >= needed) return;
  throw RequestFailed(id() + ": the bus answered " + std::to_string(answered) + " of the " +
                      std::to_string(needed) + " values that register \"" + spec.name + "\" (" +
                      std::string(to_string(spec.table)) + " " + std::to_string(spec.address) +
                      ") needs; check the unit id and that the slave has every register of the "
                      "map at that address");
}

double ModbusSensor::value_of(const RegisterSpec& spec, const std::vector<std::uint16_t>& words,
                              std::size_t offset) const {
  require_answered(spec, words.size(), offset);
  std::span<const std::uint16_t> view(words.data() + offset, register_count(spec.type));
  return decode(view, spec.type, spec.order, spec.scale, spec.offset);
}

double ModbusSensor::bit_of(const RegisterSpec& spec, const std::vector<std::uint8_t>& bits,
                            std::size_t offset) const {
  require_answered(spec, bits.size(), offset);
  return bits[offset] != 0 ? 1 : 0;
}

void ModbusSensor::publish(const RegisterSpec& spec, double value) {
  auto it = published_.find(spec.name);
  if (it != published_.end() && std::fabs(value - it->second) < spec.deadband) return;
  published_[spec.name] = value;
  set_status(spec.name, to_status(value));
}

Task<void> ModbusSensor::poll(std::size_t index) {
  const auto& group = groups_[index];
  try {
    if (is_bit_table(group.table)) {
      auto bits = co_await read_bits(group.table, group.address, group.count, true);
      for (const auto* spec : group.members)
        publish(*spec, bit_of(*spec, bits, spec->address - group.address));
    } else {
      auto words = co_await read_registers(group.table, group.address, group.count, true);
      for (const auto* spec : group.members)
        publish(*spec, value_of(*spec, words, spec->address - group.address));
    }
    if (failing_[index])
      log().info("reading ", to_string(group.table), " ", group.address, " works again");
    failing_[index] = false;
  } catch (const RequestFailed& e) {
    // Reported once per outage; the module's `connected` tells panels the rest.
    if (!failing_[index]) log().warn(e.what());
    failing_[index] = true;
  }
}

Task<Json> ModbusSensor::write(std::string name, Json value) {
  const auto& spec = find(name);
  if (!is_writable(spec.table))
    throw BadArguments("register \"" + name + "\" is in the " + std::string(to_string(spec.table)) +
                       " table, which is read-only; only holding registers and coils are written");
  if (spec.table == Table::coil) {
    if (!value.is_boolean() && !value.is_number())
      throw BadArguments("write(name, value): coil \"" + name + "\" takes true/false or 0/1");
    bool on = value.is_boolean() ? value.get<bool>() : value.get<double>() != 0;
    std::vector<std::uint8_t> bits{static_cast<std::uint8_t>(on)};
    co_await write_coils(spec.address, std::move(bits));
    publish(spec, on ? 1 : 0);
    co_return on;
  }
  if (!value.is_number())
    throw BadArguments("write(name, value): register \"" + name + "\" takes a number, got " +
                       json_excerpt(value));
  std::vector<std::uint16_t> words;
  try {
    words = encode(value.get<double>(), spec.type, spec.order, spec.scale, spec.offset);
  } catch (const std::out_of_range& e) {
    throw BadArguments("write(name, value): " + json_excerpt(value) + " does not fit register \"" +
                       name + "\" (" + std::string(to_string(spec.type)) + ")");
  }
  co_await write_registers(spec.address, std::move(words));
  publish(spec, value.get<double>());
  co_return value;
}

Task<Json> ModbusSensor::read(std::string name) {
  const auto& spec = find(name);
  if (is_bit_table(spec.table)) {
    auto bits = co_await read_bits(spec.table, spec.address, 1);
    auto bit = bit_of(spec, bits, 0);
    publish(spec, bit);
    co_return to_status(bit);
  }
  auto words = co_await read_registers(spec.table, spec.address,
                                       static_cast<std::uint16_t>(register_count(spec.type)));
  auto value = value_of(spec, words, 0);
  publish(spec, value);
  co_return to_status(value);
}

}  // namespace roomd::modbus
