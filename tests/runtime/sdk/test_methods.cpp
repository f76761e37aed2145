// Argument binding against declared parameter ranges: a value outside is refused before the
// driver runs, naming the parameter, the value and the range; the bounds themselves pass.
#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/methods.hpp"

#include <catch2/catch.hpp>

using namespace roomd;

namespace {

class RangedDevice final : public Driver {
 public:
  Task<int> volume(int level) { co_return level; }
  Task<double> gain(double db, std::optional<int> channel) { co_return db + channel.value_or(0); }
  Task<std::string> label(std::string text) { co_return text; }
};

MethodTable ranged_table() {
  MethodTable table;
  Methods<RangedDevice> m(table);
  m.method("volume", &RangedDevice::volume, {Param("level", Range{0, 100})});
  m.method("gain", &RangedDevice::gain,
           {Param("db", Range{-12.5, 6}, 0), Param("channel", Range{1, 8}, nullptr)});
  return table;
}

std::string refusal(const MethodTable& table, const char* method, const Json& args) {
  try {
    MethodTable::bind_arguments(table.find(method)->info, args);
  } catch (const BadArguments& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("binding accepts values within a range and at its bounds", "[methods]") {
  auto table = ranged_table();
  const auto& volume = table.find("volume")->info;
  CHECK(MethodTable::bind_arguments(volume, Json::array({0})) == std::vector<Json>{0});
  CHECK(MethodTable::bind_arguments(volume, Json::array({37})) == std::vector<Json>{37});
  CHECK(MethodTable::bind_arguments(volume, {{"level", 100}}) == std::vector<Json>{100});
  const auto& gain = table.find("gain")->info;
  CHECK(MethodTable::bind_arguments(gain, Json::array({-12.5, 8})) == std::vector<Json>{-12.5, 8});
  // An optional parameter left out is null, which no range applies to.
  CHECK(MethodTable::bind_arguments(gain, Json::array()) == std::vector<Json>{0, nullptr});
}

TEST_CASE("binding refuses values below or above a range, naming it", "[methods]") {
  auto table = ranged_table();
  CHECK(refusal(table, "volume", Json::array({-1})) ==
        "volume(level: integer): argument 'level' must be from 0 to 100, got -1");
  CHECK(refusal(table, "volume", {{"level", 101}}) ==
        "volume(level: integer): argument 'level' must be from 0 to 100, got 101");
  CHECK(refusal(table, "volume", Json::array({100.5})) ==
        "volume(level: integer): argument 'level' must be from 0 to 100, got 100.5");
  CHECK(refusal(table, "gain", Json::array({-12.6})) ==
        "gain(db: number = 0, channel: integer = null): argument 'db' must be from -12.5 to 6, "
        "got -12.6");
  CHECK(refusal(table, "gain", {{"channel", 9}}) ==
        "gain(db: number = 0, channel: integer = null): argument 'channel' must be from 1 to 8, "
        "got 9");
  // A value of the wrong type is the type check's to report.
  CHECK(refusal(table, "volume", Json::array({"150"})) == "");
}

TEST_CASE("a range is shown with the parameter in the driver's description", "[methods]") {
  auto table = ranged_table();
  auto infos = table.infos();
  REQUIRE(infos.at(0).params.at(0).range);
  DriverInfo info;
  info.methods = infos;
  auto described = to_json(info)["methods"];
  CHECK(described[0]["params"][0] ==
        Json{{"name", "level"}, {"type", "integer"}, {"range", {0, 100}}});
  CHECK(described[1]["params"][0]["range"] == Json{-12.5, 6});
  CHECK(described[1]["params"][1]["range"] == Json{1, 8});
}

TEST_CASE("a range a driver cannot mean is refused when it is exposed", "[methods]") {
  MethodTable table;
  Methods<RangedDevice> m(table);
  CHECK_THROWS_WITH(m.method("label", &RangedDevice::label, {Param("text", Range{0, 9})}),
                    Catch::Contains("parameter 'text'") && Catch::Contains("not string"));
  CHECK_THROWS_WITH(m.method("volume", &RangedDevice::volume, {Param("level", Range{0, 100}, 101)}),
                    Catch::Contains("default 101 is not from 0 to 100"));
  CHECK_THROWS_WITH(m.method("volume", &RangedDevice::volume, {Param("level", Range{9, 1})}),
                    Catch::Contains("is empty"));
  CHECK(table.infos().empty());
}
