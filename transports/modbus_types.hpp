// Modbus data model shared by the bus, the drivers and the simulator: the four tables, and
// how one value (u16, s16, u32, s32, f32 in either word order, scaled) sits in registers.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace roomd::modbus {

enum class Table { coil, discrete_input, input_register, holding_register };
enum class RegisterType { u16, s16, u32, s32, f32 };
enum class WordOrder { high_first, low_first };  // high_first: the common big-endian layout

std::string_view to_string(Table table);  // "coil", "discrete_input", "input", "holding"
std::optional<Table> parse_table(std::string_view text);  // accepts the names above
std::string_view to_string(RegisterType type);
std::optional<RegisterType> parse_register_type(std::string_view text);
bool is_bit_table(Table table);
bool is_writable(Table table);          // coils and holding registers
int register_count(RegisterType type);  // 1 or 2

// Raw register(s) -> value * scale + offset. `registers` holds register_count(type) words.
double decode(std::span<const std::uint16_t> registers, RegisterType type, WordOrder order,
              double scale = 1.0, double offset = 0.0);
// The inverse, rounding to the nearest integer for integer types; throws std::out_of_range
// when the value does not fit the type.
std::vector<std::uint16_t> encode(double value, RegisterType type, WordOrder order,
                                  double scale = 1.0, double offset = 0.0);

// Standard exception codes (01 illegal function ... 0B gateway target failed) as text.
std::string exception_text(int code);

}  // namespace roomd::modbus
