// Threshold rules from the config's `alerts`: the condition against the store's values
// (numbers numerically, strings and booleans for == and !=, anything else false), a hold time
// before the alert, clearing when the condition ends, and the checks that need the drivers.
#include "runtime/alert_rules.hpp"
#include "runtime/module_checks.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace roomd;
using namespace std::chrono_literals;

namespace {

class Sensor final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "co2_sensor";
    info.generic_name = "Sensor";
    info.status = {{"co2", "integer", "ppm"}, {"mode", "string", ""}};
    return info;
  }
  static void expose(Methods<Sensor>&) {}
};

AlertRuleConfig rule(std::string variable, std::string op, Json value, Duration hold = {}) {
  AlertRuleConfig r;
  r.sys = "sys-101";
  r.module = "Sensor";
  r.index = 2;
  r.variable = std::move(variable);
  r.op = std::move(op);
  r.value = std::move(value);
  r.hold = hold;
  r.when = "sys-101/Sensor_2/" + r.variable + " " + r.op + " " + to_text(r.value);
  r.title = r.when;
  return r;
}

// sys-101 lists two sensors: Sensor_1 is mod-s1, Sensor_2 is mod-s2.
Config box_config(std::vector<AlertRuleConfig> rules) {
  Config config;
  config.box.id = "box";
  config.modules = {{"mod-s1", "co2_sensor", "Sensor", {}, Json::object(), {}, "modules[0]"},
                    {"mod-s2", "co2_sensor", "Sensor", {}, Json::object(), {}, "modules[1]"}};
  config.systems = {{"sys-101", "Room 101", {"mod-s1", "mod-s2"}}};
  for (std::size_t i = 0; i < rules.size(); ++i)
    rules[i].json_path = "alerts[" + std::to_string(i) + "]";
  config.alerts = std::move(rules);
  return config;
}

struct Rules {
  asio::io_context io;
  AlertBook book;
  StateStore state;
  std::unique_ptr<AlertRules> rules;

  explicit Rules(std::vector<AlertRuleConfig> list) {
    rules = std::make_unique<AlertRules>(io, book, state, box_config(std::move(list)));
  }
  void set(const std::string& name, Json value) { state.set("mod-s2", name, std::move(value)); }
  bool active(std::size_t index) {
    io.restart();
    io.poll();
    return book.find(AlertRules::alert_id(index)).has_value();
  }
};

}  // namespace

TEST_CASE("conditions compare numbers numerically, strings and booleans only for equality",
          "[alerts][rules]") {
  CHECK(alert_condition_holds(1001, ">", 1000));
  CHECK_FALSE(alert_condition_holds(1000, ">", 1000));
  CHECK(alert_condition_holds(1000, ">=", 1000));
  CHECK(alert_condition_holds(999.5, "<", 1000));
  CHECK(alert_condition_holds(1000.0, "<=", 1000));
  CHECK(alert_condition_holds(3, "==", 3.0));
  CHECK(alert_condition_holds(3, "!=", 4));
  CHECK(alert_condition_holds("hdmi1", "==", "hdmi1"));
  CHECK(alert_condition_holds("hdmi1", "!=", "hdmi2"));
  CHECK(alert_condition_holds(true, "==", true));
  CHECK(alert_condition_holds(false, "!=", true));
  // The wrong type is never a match, whatever the operator.
  CHECK_FALSE(alert_condition_holds("1200", ">", 1000));
  CHECK_FALSE(alert_condition_holds("1200", "!=", 1000));
  CHECK_FALSE(alert_condition_holds(nullptr, "!=", 1000));
  CHECK_FALSE(alert_condition_holds(Json::object(), "==", "x"));
  CHECK_FALSE(alert_condition_holds(true, ">", 0));
  CHECK_FALSE(alert_condition_holds(1, "==", true));
  CHECK_FALSE(alert_condition_holds("a", "<", "b"));
}

TEST_CASE("a rule without a hold raises at once and clears when the condition ends",
          "[alerts][rules]") {
  auto r = rule("co2", ">", 1000);
  r.severity = "high";
  r.title = "CO2 high";
  Rules rules({r});
  rules.set("co2", 900);
  CHECK_FALSE(rules.active(0));
  rules.set("co2", 1200);
  REQUIRE(rules.active(0));
  auto alert = *rules.book.find("rule/0");
  CHECK(alert.title == "CO2 high");
  CHECK(alert.severity == AlertSeverity::high);
  CHECK(alert.module == "mod-s2");  // Sensor_2, not Sensor_1
  CHECK(alert.sys == "sys-101");
  rules.set("co2", "sensor warming up");  // the wrong type: condition false, no crash
  CHECK_FALSE(rules.active(0));
  rules.state.set("mod-s1", "co2", 5000);  // Sensor_1 is not watched
  CHECK_FALSE(rules.active(0));
}

TEST_CASE("a rule with a hold raises only once the condition held that long", "[alerts][rules]") {
  Rules rules({rule("co2", ">=", 1000, 150ms), rule("mode", "==", "fault", 150ms)});
  rules.set("co2", 1000);
  rules.set("mode", "fault");
  CHECK_FALSE(rules.active(0));
  // The mode recovers before its hold ends: it never alerts.
  rules.set("mode", "ok");
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(test::run_until(rules.io, [&] { return rules.active(0); }));
  CHECK(std::chrono::steady_clock::now() - start >= 140ms);
  CHECK_FALSE(rules.active(1));
  // Still above the limit: the alert stays; below it, it clears at once.
  rules.set("co2", 1500);
  CHECK(rules.active(0));
  rules.set("co2", 400);
  CHECK_FALSE(rules.active(0));
  // Up again and down before the hold: nothing raised.
  rules.set("co2", 1500);
  rules.set("co2", 500);
  rules.io.run_for(200ms);
  CHECK_FALSE(rules.active(0));
}

TEST_CASE("a value already in the store counts, and destroying the rules clears their alerts",
          "[alerts][rules]") {
  asio::io_context io;
  AlertBook book;
  StateStore state;
  state.set("mod-s2", "co2", 2000);
  auto rules = std::make_unique<AlertRules>(io, book, state, box_config({rule("co2", ">", 1000)}));
  REQUIRE(test::run_until(io, [&] { return book.find("rule/0").has_value(); }));
  rules.reset();
  CHECK(book.active().empty());
  io.run_for(20ms);
  CHECK(book.active().empty());
}

TEST_CASE("check-config names unknown systems, modules and variables of rules",
          "[alerts][rules][config]") {
  DriverRegistry registry;
  registry.add(make_registration<Sensor>());
  auto unknown_variable = rule("co3", ">", 1);
  auto unknown_module = rule("co2", ">", 1);
  unknown_module.index = 3;
  auto unknown_system = rule("co2", ">", 1);
  unknown_system.sys = "sys-999";
  auto connected = rule("connected", "==", false);
  auto config = box_config({unknown_variable, unknown_module, unknown_system, connected});
  std::vector<std::string> texts;
  for (const auto& e : check_modules(config, registry)) texts.push_back(e.text());
  CHECK(texts == std::vector<std::string>{
                     "alerts[0].when: unknown variable sys-101/Sensor_2/co3: driver co2_sensor "
                     "has co2, mode",
                     "alerts[1].when: unknown variable sys-101/Sensor_3/co2: system sys-101 has "
                     "no module Sensor_3",
                     "alerts[2].when: unknown variable sys-999/Sensor_2/co2: no system sys-999"});
}
