// Register maps from settings: parsing with paths in every problem, and poll grouping.
#include "drivers/modbus_sensor/register_map.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::modbus;

TEST_CASE("a register map parses with defaults", "[modbus][register_map]") {
  std::vector<SettingsProblem> problems;
  auto map = parse_register_map(Json::parse(R"([
    {"name": "temperature", "table": "input", "address": 1, "type": "s16", "scale": 0.1,
     "unit": "°C", "every": "2s", "deadband": 0.2},
    {"name": "setpoint", "table": "holding", "address": 100, "type": "f32", "order": "low_first"}
  ])"),
                                problems);
  REQUIRE(problems.empty());
  REQUIRE(map.size() == 2);
  CHECK(map[0].table == Table::input_register);
  CHECK(map[0].type == RegisterType::s16);
  CHECK(map[0].scale == 0.1);
  CHECK(map[0].every == std::chrono::seconds(2));
  CHECK(map[0].deadband == 0.2);
  CHECK(map[1].order == WordOrder::low_first);
  CHECK(map[1].every == std::chrono::seconds(5));
}

TEST_CASE("register map problems carry their path", "[modbus][register_map]") {
  std::vector<SettingsProblem> problems;
  parse_register_map(Json::parse(R"([
    {"name": "a", "table": "inputs", "address": 70000},
    {"table": "holding", "address": 1, "type": "u64", "every": "soon", "colour": "red"},
    {"name": "a", "table": "coil", "address": 2, "deadband": -1},
    7
  ])"),
                     problems);
  std::vector<std::string> text;
  for (const auto& p : problems) text.push_back(p.path + ": " + p.message);
  CHECK(text == std::vector<std::string>{
                    "registers[0].table: expected one of coil, discrete_input, input, holding, "
                    "got \"inputs\"",
                    "registers[0].address: expected 0-65535, got 70000",
                    "registers[1].colour: unknown key",
                    "registers[1].name: required",
                    "registers[1].type: expected one of u16, s16, u32, s32, f32, got \"u64\"",
                    "registers[1].every: expected a duration such as \"500ms\" or \"10s\", got "
                    "\"soon\"",
                    "registers[2].deadband: must not be negative",
                    "registers[2].name: duplicate register name \"a\" (first at registers[0])",
                    "registers[3]: expected an object, got 7",
                });
}

TEST_CASE("adjacent registers at one rate are read in one request", "[modbus][register_map]") {
  std::vector<SettingsProblem> problems;
  auto map = parse_register_map(Json::parse(R"([
    {"name": "humidity", "table": "input", "address": 2, "type": "s16"},
    {"name": "temperature", "table": "input", "address": 1, "type": "s16"},
    {"name": "energy", "table": "input", "address": 3, "type": "u32"},
    {"name": "far", "table": "input", "address": 10},
    {"name": "slow", "table": "input", "address": 6, "every": "1m"},
    {"name": "setpoint", "table": "holding", "address": 4}
  ])"),
                                problems);
  REQUIRE(problems.empty());
  auto groups = plan_polls(map);
  REQUIRE(groups.size() == 4);
  CHECK(groups[0].table == Table::input_register);
  CHECK(groups[0].address == 1);
  CHECK(groups[0].count == 4);  // 1, 2 and the two words of 3-4
  CHECK(groups[0].members.size() == 3);
  CHECK(groups[1].address == 10);
  CHECK(groups[2].address == 6);  // its own rate
  CHECK(groups[3].table == Table::holding_register);
}
