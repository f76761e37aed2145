#include "transports/modbus_types.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

using namespace roomd::modbus;

using Words = std::vector<std::uint16_t>;

TEST_CASE("modbus tables have names and parse back, with the long forms", "[modbus]") {
  for (Table t :
       {Table::coil, Table::discrete_input, Table::input_register, Table::holding_register}) {
    CHECK(parse_table(to_string(t)) == t);
  }
  CHECK(to_string(Table::input_register) == "input");
  CHECK(to_string(Table::holding_register) == "holding");
  CHECK(parse_table("input_register") == Table::input_register);
  CHECK(parse_table("holding_register") == Table::holding_register);
  CHECK_FALSE(parse_table("holdings").has_value());
  CHECK_FALSE(parse_table("").has_value());

  CHECK(is_bit_table(Table::coil));
  CHECK(is_bit_table(Table::discrete_input));
  CHECK_FALSE(is_bit_table(Table::input_register));
  CHECK(is_writable(Table::coil));
  CHECK(is_writable(Table::holding_register));
  CHECK_FALSE(is_writable(Table::discrete_input));
  CHECK_FALSE(is_writable(Table::input_register));
}

TEST_CASE("modbus register types have names, parse back and know their width", "[modbus]") {
  for (RegisterType t : {RegisterType::u16, RegisterType::s16, RegisterType::u32, RegisterType::s32,
                         RegisterType::f32}) {
    CHECK(parse_register_type(to_string(t)) == t);
  }
  CHECK(to_string(RegisterType::f32) == "f32");
  CHECK_FALSE(parse_register_type("float").has_value());
  CHECK(register_count(RegisterType::u16) == 1);
  CHECK(register_count(RegisterType::s16) == 1);
  CHECK(register_count(RegisterType::u32) == 2);
  CHECK(register_count(RegisterType::s32) == 2);
  CHECK(register_count(RegisterType::f32) == 2);
}

TEST_CASE("modbus decode of 16-bit values, signed and scaled", "[modbus]") {
  const auto hf = WordOrder::high_first;
  CHECK(decode(Words{0xFFFF}, RegisterType::u16, hf) == 65535);
  CHECK(decode(Words{0xFFFF}, RegisterType::s16, hf) == -1);
  CHECK(decode(Words{0x8000}, RegisterType::s16, hf) == -32768);
  // The XY-MD02 example: 0x0131 and 0x0222, signed, x0.1.
  CHECK(decode(Words{0x0131}, RegisterType::s16, hf, 0.1) == Approx(30.5));
  CHECK(decode(Words{0x0222}, RegisterType::s16, hf, 0.1) == Approx(54.6));
  // -5.5 degrees is 0xFFC9 (-55).
  CHECK(decode(Words{0xFFC9}, RegisterType::s16, hf, 0.1) == Approx(-5.5));
  CHECK(decode(Words{100}, RegisterType::u16, hf, 0.5, -10) == Approx(40));
  CHECK_THROWS_AS(decode(Words{}, RegisterType::u16, hf), std::invalid_argument);
}

TEST_CASE("modbus decode of 32-bit values honours the word order", "[modbus]") {
  CHECK(decode(Words{0x0001, 0x0002}, RegisterType::u32, WordOrder::high_first) == 0x00010002);
  CHECK(decode(Words{0x0001, 0x0002}, RegisterType::u32, WordOrder::low_first) == 0x00020001);
  CHECK(decode(Words{0xFFFF, 0xFFFE}, RegisterType::s32, WordOrder::high_first) == -2);
  CHECK(decode(Words{0xFFFE, 0xFFFF}, RegisterType::s32, WordOrder::low_first) == -2);
  CHECK(decode(Words{0x8000, 0x0000}, RegisterType::s32, WordOrder::high_first) ==
        static_cast<double>(std::numeric_limits<std::int32_t>::min()));
  // 1.5f is 0x3FC00000.
  CHECK(decode(Words{0x3FC0, 0x0000}, RegisterType::f32, WordOrder::high_first) == 1.5);
  CHECK(decode(Words{0x0000, 0x3FC0}, RegisterType::f32, WordOrder::low_first) == 1.5);
  CHECK_THROWS_AS(decode(Words{1}, RegisterType::u32, WordOrder::high_first),
                  std::invalid_argument);
}

TEST_CASE("modbus encode is the inverse of decode and rounds integers", "[modbus]") {
  const auto hf = WordOrder::high_first;
  const auto lf = WordOrder::low_first;
  CHECK(encode(30.5, RegisterType::s16, hf, 0.1) == Words{0x0131});
  CHECK(encode(-5.5, RegisterType::s16, hf, 0.1) == Words{0xFFC9});
  CHECK(encode(-1, RegisterType::s16, hf) == Words{0xFFFF});
  CHECK(encode(12.4, RegisterType::u16, hf) == Words{12});
  CHECK(encode(12.6, RegisterType::u16, hf) == Words{13});
  CHECK(encode(40, RegisterType::u16, hf, 0.5, -10) == Words{100});
  CHECK(encode(0x00010002, RegisterType::u32, hf) == Words{0x0001, 0x0002});
  CHECK(encode(0x00010002, RegisterType::u32, lf) == Words{0x0002, 0x0001});
  CHECK(encode(-2, RegisterType::s32, hf) == Words{0xFFFF, 0xFFFE});
  CHECK(encode(-2, RegisterType::s32, lf) == Words{0xFFFE, 0xFFFF});
  CHECK(encode(1.5, RegisterType::f32, hf) == Words{0x3FC0, 0x0000});
  CHECK(encode(1.5, RegisterType::f32, lf) == Words{0x0000, 0x3FC0});

  for (auto order : {hf, lf}) {
    for (double v : {0.0, -1.25, 3.14159, 1e20, -273.15}) {
      const auto words = encode(v, RegisterType::f32, order);
      CHECK(decode(words, RegisterType::f32, order) == Approx(static_cast<float>(v)));
    }
    for (double v : {0.0, -1.0, 2147483647.0, -2147483648.0, 123456.0}) {
      CHECK(decode(encode(v, RegisterType::s32, order), RegisterType::s32, order) == v);
    }
    CHECK(decode(encode(4294967295.0, RegisterType::u32, order), RegisterType::u32, order) ==
          4294967295.0);
  }
  CHECK(std::isnan(decode(encode(NAN, RegisterType::f32, hf), RegisterType::f32, hf)));
}

TEST_CASE("modbus encode refuses values that do not fit", "[modbus]") {
  const auto hf = WordOrder::high_first;
  CHECK_THROWS_AS(encode(65536, RegisterType::u16, hf), std::out_of_range);
  CHECK_THROWS_AS(encode(-1, RegisterType::u16, hf), std::out_of_range);
  CHECK_THROWS_AS(encode(32768, RegisterType::s16, hf), std::out_of_range);
  CHECK_THROWS_AS(encode(-32769, RegisterType::s16, hf), std::out_of_range);
  CHECK_THROWS_AS(encode(4294967296.0, RegisterType::u32, hf), std::out_of_range);
  CHECK_THROWS_AS(encode(2147483648.0, RegisterType::s32, hf), std::out_of_range);
  CHECK_THROWS_AS(encode(1e40, RegisterType::f32, hf), std::out_of_range);
  CHECK_THROWS_AS(encode(NAN, RegisterType::u16, hf), std::out_of_range);
  // 3276.8 at x0.1 is 32768: one past s16.
  CHECK_THROWS_AS(encode(3276.8, RegisterType::s16, hf, 0.1), std::out_of_range);
  CHECK_THROWS_AS(encode(1, RegisterType::u16, hf, 0.0), std::invalid_argument);
}

TEST_CASE("modbus exception codes read as text", "[modbus]") {
  CHECK(exception_text(1) == "illegal function");
  CHECK(exception_text(2) == "illegal data address");
  CHECK(exception_text(3) == "illegal data value");
  CHECK(exception_text(4) == "server device failure");
  CHECK(exception_text(5) == "acknowledge");
  CHECK(exception_text(6) == "server device busy");
  CHECK(exception_text(8) == "memory parity error");
  CHECK(exception_text(10) == "gateway path unavailable");
  CHECK(exception_text(11) == "gateway target device failed to respond");
  CHECK(exception_text(7) == "exception 7");
  CHECK(exception_text(0x42) == "exception 66");
}
