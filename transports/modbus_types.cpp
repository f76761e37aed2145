#include "transports/modbus_types.hpp"

#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace roomd::modbus {

namespace {

std::uint32_t join_words(std::span<const std::uint16_t> registers, WordOrder order) {
  const std::uint32_t first = registers[0];
  const std::uint32_t second = registers[1];
  return order == WordOrder::high_first ? (first << 16) | second : (second << 16) | first;
}

std::vector<std::uint16_t> split_words(std::uint32_t raw, WordOrder order) {
  const auto high = static_cast<std::uint16_t>(raw >> 16);
  const auto low = static_cast<std::uint16_t>(raw & 0xFFFF);
  if (order == WordOrder::high_first) return {high, low};
  return {low, high};
}

// Rounds to the nearest integer and checks it fits [low, high]; NaN never fits.
std::int64_t to_integer(double raw, std::int64_t low, std::int64_t high, RegisterType type) {
  const double rounded = std::round(raw);
  if (!(rounded >= static_cast<double>(low) && rounded <= static_cast<double>(high))) {
    throw std::out_of_range("modbus: " + std::to_string(raw) + " does not fit " +
                            std::string(to_string(type)));
  }
  return static_cast<std::int64_t>(rounded);
}

}  // namespace

std::string_view to_string(Table table) {
  switch (table) {
    case Table::coil:
      return "coil";
    case Table::discrete_input:
      return "discrete_input";
    case Table::input_register:
      return "input";
    case Table::holding_register:
      return "holding";
  }
  return "unknown";
}

std::optional<Table> parse_table(std::string_view text) {
  if (text == "coil") return Table::coil;
  if (text == "discrete_input") return Table::discrete_input;
  if (text == "input" || text == "input_register") return Table::input_register;
  if (text == "holding" || text == "holding_register") return Table::holding_register;
  return std::nullopt;
}

std::string_view to_string(RegisterType type) {
  switch (type) {
    case RegisterType::u16:
      return "u16";
    case RegisterType::s16:
      return "s16";
    case RegisterType::u32:
      return "u32";
    case RegisterType::s32:
      return "s32";
    case RegisterType::f32:
      return "f32";
  }
  return "unknown";
}

std::optional<RegisterType> parse_register_type(std::string_view text) {
  if (text == "u16") return RegisterType::u16;
  if (text == "s16") return RegisterType::s16;
  if (text == "u32") return RegisterType::u32;
  if (text == "s32") return RegisterType::s32;
  if (text == "f32") return RegisterType::f32;
  return std::nullopt;
}

bool is_bit_table(Table table) {
  return table == Table::coil || table == Table::discrete_input;
}

bool is_writable(Table table) {
  return table == Table::coil || table == Table::holding_register;
}

int register_count(RegisterType type) {
  return type == RegisterType::u16 || type == RegisterType::s16 ? 1 : 2;
}

double decode(std::span<const std::uint16_t> registers, RegisterType type, WordOrder order,
              double scale, double offset) {
  if (registers.size() < static_cast<std::size_t>(register_count(type))) {
    throw std::invalid_argument("modbus: " + std::string(to_string(type)) + " needs " +
                                std::to_string(register_count(type)) + " registers, got " +
                                std::to_string(registers.size()));
  }
  double raw = 0;
  switch (type) {
    case RegisterType::u16:
      raw = registers[0];
      break;
    case RegisterType::s16:
      raw = static_cast<std::int16_t>(registers[0]);
      break;
    case RegisterType::u32:
      raw = join_words(registers, order);
      break;
    case RegisterType::s32:
      raw = static_cast<std::int32_t>(join_words(registers, order));
      break;
    case RegisterType::f32:
      raw = std::bit_cast<float>(join_words(registers, order));
      break;
  }
  return raw * scale + offset;
}

std::vector<std::uint16_t> encode(double value, RegisterType type, WordOrder order, double scale,
                                  double offset) {
  if (scale == 0.0) throw std::invalid_argument("modbus: scale 0 cannot be inverted");
  const double raw = (value - offset) / scale;
  switch (type) {
    case RegisterType::u16:
      return {static_cast<std::uint16_t>(to_integer(raw, 0, 0xFFFF, type))};
    case RegisterType::s16:
      return {static_cast<std::uint16_t>(
          static_cast<std::int16_t>(to_integer(raw, -0x8000, 0x7FFF, type)))};
    case RegisterType::u32:
      return split_words(static_cast<std::uint32_t>(to_integer(raw, 0, 0xFFFFFFFFLL, type)), order);
    case RegisterType::s32:
      return split_words(static_cast<std::uint32_t>(static_cast<std::int32_t>(
                             to_integer(raw, -0x80000000LL, 0x7FFFFFFFLL, type))),
                         order);
    case RegisterType::f32: {
      // Finite values beyond float's range would silently become infinity.
      if (std::isfinite(raw) && std::fabs(raw) > std::numeric_limits<float>::max()) {
        throw std::out_of_range("modbus: " + std::to_string(raw) + " does not fit f32");
      }
      return split_words(std::bit_cast<std::uint32_t>(static_cast<float>(raw)), order);
    }
  }
  throw std::invalid_argument("modbus: unknown register type");
}

std::string exception_text(int code) {
  switch (code) {
    case 1:
      return "illegal function";
    case 2:
      return "illegal data address";
    case 3:
      return "illegal data value";
    case 4:
      return "server device failure";
    case 5:
      return "acknowledge";
    case 6:
      return "server device busy";
    case 8:
      return "memory parity error";
    case 10:
      return "gateway path unavailable";
    case 11:
      return "gateway target device failed to respond";
    default:
      return "exception " + std::to_string(code);
  }
}

}  // namespace roomd::modbus
