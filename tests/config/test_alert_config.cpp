// The `alerts` rules and `alert_options` as the loader reads them: the condition split into
// variable, operator and value, the defaults, and every bad rule named by its JSON path.
#include "config/alert_schema.hpp"
#include "config/config.hpp"
#include "tests/config/config_errors.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace roomd {
namespace {

std::string with_alerts(const std::string& alerts, const std::string& options = "") {
  return R"({ "box": { "id": "room-101" }, "modules": [ { "id": "m", "driver": "room", "name": "System" } ],
             "alerts": )" +
         alerts + (options.empty() ? "" : R"(, "alert_options": )" + options) + " }";
}

using test::errors_of;

}  // namespace

TEST_CASE("alerts: a rule's parts, hold, severity and title", "[config][alerts]") {
  auto result = parse_config(with_alerts(R"([
      {"when": "sys-101/Sensor_1/co2 > 1000", "for": "1m", "severity": "high", "title": "CO2 high"},
      {"when": "sys-101/Display/input == hdmi1"},
      {"when": "sys-101/Display_2/power!=true"},
      {"when": "sys-101/Switcher_1/name == \"Main hall\""}])"));
  REQUIRE(result.errors.empty());
  const auto& rules = result.config->alerts;
  REQUIRE(rules.size() == 4);
  CHECK(rules[0].sys == "sys-101");
  CHECK(rules[0].module == "Sensor");
  CHECK(rules[0].index == 1);
  CHECK(rules[0].variable == "co2");
  CHECK(rules[0].op == ">");
  CHECK(rules[0].value == 1000);
  CHECK(rules[0].hold == std::chrono::minutes(1));
  CHECK(rules[0].severity == "high");
  CHECK(rules[0].title == "CO2 high");
  CHECK(rules[0].json_path == "alerts[0]");
  // Defaults: no hold, medium, the condition as the title; a module without _N is index 1.
  CHECK(rules[1].module == "Display");
  CHECK(rules[1].index == 1);
  CHECK(rules[1].value == "hdmi1");
  CHECK(rules[1].hold == Duration::zero());
  CHECK(rules[1].severity == "medium");
  CHECK(rules[1].title == "sys-101/Display/input == hdmi1");
  CHECK(rules[2].index == 2);
  CHECK(rules[2].op == "!=");
  CHECK(rules[2].value == true);
  CHECK(rules[3].value == "Main hall");
  CHECK(result.config->alert_options == AlertOptionsConfig{});
}

TEST_CASE("alerts: every operator parses, with or without spaces", "[config][alerts]") {
  for (std::string op : {">", ">=", "<", "<=", "==", "!="}) {
    AlertRuleConfig rule;
    INFO(op);
    CHECK(parse_alert_condition("s/Sensor_1/co2" + op + "12.5", rule).empty());
    CHECK(rule.op == op);
    CHECK(rule.value == 12.5);
  }
}

TEST_CASE("alerts: bad rules are errors at their JSON path", "[config][alerts]") {
  CHECK(
      errors_of(with_alerts(R"([{"when": "sys-101/Sensor_1/co2 => 1000"}])")) ==
      std::vector<std::string>{"alerts[0].when: unknown operator \"=>\" in \"sys-101/Sensor_1/co2 "
                               "=> 1000\"; use one of > >= < <= == !="});
  CHECK(errors_of(with_alerts(R"([{"when": "sys-101/Sensor_1/co2 = 1000"}])")) ==
        std::vector<std::string>{"alerts[0].when: unknown operator \"=\" in \"sys-101/Sensor_1/co2 "
                                 "= 1000\"; use one of > >= < <= == !="});
  CHECK(errors_of(with_alerts(R"([{"when": "co2 is high"}])")) ==
        std::vector<std::string>{
            "alerts[0].when: expected <system>/<Module>_<index>/<variable> <operator> <value> "
            "(operators > >= < <= == !=), got \"co2 is high\""});
  CHECK(errors_of(with_alerts(R"([{"when": "Sensor_1/co2 > 5"}])")) ==
        std::vector<std::string>{
            "alerts[0].when: expected <system>/<Module>_<index>/<variable> <operator> <value>, "
            "got variable \"Sensor_1/co2\""});
  CHECK(errors_of(with_alerts(R"([{"when": "s/Sensor_1/co2 >"}])")) ==
        std::vector<std::string>{
            "alerts[0].when: missing value after \">\" in \"s/Sensor_1/co2 >\""});
  CHECK(errors_of(with_alerts(R"([{"when": "s/Sensor_1/co2 > high"}])")) ==
        std::vector<std::string>{"alerts[0].when: bad value \"high\": > compares numbers"});
  CHECK(errors_of(with_alerts(R"([{"when": "s/Sensor_1/co2 == [1]"}])")) ==
        std::vector<std::string>{"alerts[0].when: bad value \"[1]\": expected a number, true, "
                                 "false, a quoted string or a bare word"});
  auto errors = errors_of(with_alerts(
      R"([{"when": "s/Sensor_1/co2 > 1"}, {"when": "s/Sensor_1/co2 > 2", "for": "soon", "severity": "urgent", "colour": "red"}, {}])"));
  REQUIRE(errors.size() == 4);
  CHECK_THAT(errors[0], Catch::StartsWith("alerts[1].for: "));
  CHECK_THAT(errors[1], Catch::StartsWith("alerts[1].severity: "));
  CHECK_THAT(errors[1], Catch::Contains("critical"));
  CHECK_THAT(errors[2], Catch::StartsWith("alerts[1].colour: "));
  CHECK_THAT(errors[3], Catch::StartsWith("alerts[2].when: "));
  CHECK_THAT(errors_of(with_alerts(R"({"when": "s/M/v > 1"})"))[0],
             Catch::StartsWith("alerts: expected an array"));
}

TEST_CASE("alert_options: grace and quiet periods", "[config][alerts]") {
  auto result = parse_config(with_alerts("[]", R"({"offline_after": "5s", "log_quiet": "1m"})"));
  REQUIRE(result.errors.empty());
  CHECK(result.config->alert_options.offline_after == std::chrono::seconds(5));
  CHECK(result.config->alert_options.log_quiet == std::chrono::minutes(1));
  auto errors = errors_of(with_alerts("[]", R"({"offline_after": "0s", "quiet": "1m"})"));
  REQUIRE(errors.size() == 2);
  CHECK_THAT(errors[0], Catch::StartsWith("alert_options.offline_after: "));
  CHECK_THAT(errors[1], Catch::StartsWith("alert_options.quiet: "));
}

}  // namespace roomd
