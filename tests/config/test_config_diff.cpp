// What a reload would change: modules added, removed or changed (and not those that only
// moved in the file), systems and keys, and the settings that need a restart.
#include "config/config_diff.hpp"

#include <catch2/catch.hpp>

using namespace roomd;

namespace {

ModuleConfig display(const std::string& id, std::uint16_t port) {
  ModuleConfig m;
  m.id = id;
  m.driver = "pjlink";
  m.name = "Display";
  m.transport = TcpTransportConfig{.host = "10.0.0.5", .port = port};
  m.settings = Json{{"password", "x"}};
  return m;
}

Config room() {
  Config c;
  c.box.id = "room-1";
  c.modules = {display("mod-a", 4352), display("mod-b", 4352), display("mod-c", 4352)};
  c.modules[0].json_path = "modules[0]";
  c.systems = {{.id = "sys-1", .name = "Room", .modules = {"mod-a", "mod-b", "mod-c"}}};
  c.api.keys = {{.id = "panel", .key = "k1", .role = "operator", .systems = {"*"}}};
  return c;
}

}  // namespace

TEST_CASE("config diff: the same config changes nothing", "[config]") {
  CHECK(diff_configs(room(), room()).empty());
}

TEST_CASE("config diff: modules added removed and changed in their configs' order", "[config]") {
  auto before = room();
  auto after = room();
  after.modules.erase(after.modules.begin() + 1);                        // mod-b gone
  after.modules.push_back(display("mod-e", 4352));                       // new
  after.modules.insert(after.modules.begin(), display("mod-d", 1));      // new, first
  std::get<TcpTransportConfig>(after.modules[1].transport).port = 4353;  // mod-a
  after.modules[2].settings["password"] = "y";                           // mod-c
  const auto diff = diff_configs(before, after);
  CHECK(diff.added == std::vector<std::string>{"mod-d", "mod-e"});
  CHECK(diff.removed == std::vector<std::string>{"mod-b"});
  CHECK(diff.changed == std::vector<std::string>{"mod-a", "mod-c"});
  CHECK_FALSE(diff.systems_changed);
  CHECK(diff.needs_restart.empty());
}

TEST_CASE("config diff: a module that only moved in the file is unchanged", "[config]") {
  auto after = room();
  std::swap(after.modules[0], after.modules[2]);
  after.modules[0].json_path = "modules[0]";
  after.modules[2].json_path = "modules[2]";
  CHECK(diff_configs(room(), after).empty());
}

TEST_CASE("config diff: a new log level or driver of a module changes it", "[config]") {
  auto after = room();
  after.modules[0].log_level = LogLevel::debug;
  after.modules[1].driver = "samsung_mdc";
  CHECK(diff_configs(room(), after).changed == std::vector<std::string>{"mod-a", "mod-b"});
}

TEST_CASE("config diff: systems keys and the global log level are reported", "[config]") {
  auto after = room();
  after.systems[0].modules.pop_back();
  after.api.keys[0].role = "viewer";
  after.log_level = LogLevel::debug;
  const auto diff = diff_configs(room(), after);
  CHECK(diff.systems_changed);
  CHECK(diff.keys_changed);
  CHECK(diff.log_level_changed);
  CHECK_FALSE(diff.modules_changed());
  CHECK(diff.needs_restart.empty());
}

TEST_CASE("config diff: what only a restart applies is named by its path", "[config]") {
  auto after = room();
  after.api.listen = "0.0.0.0:8080";
  after.api.max_connections = 64;
  after.box.state_dir = "/srv/roomd";
  after.api.tls = ApiTlsConfig{"/etc/roomd/box.crt", "/etc/roomd/box.key"};
  after.upstream.mqtt = MqttConfig{.url = "mqtt://broker:1883", .host = "broker"};
  after.upstream.outbox_enabled = true;
  after.history.max_points = 50;
  CHECK(diff_configs(room(), after).needs_restart ==
        std::vector<std::string>{"box.state_dir", "api.listen", "api.tls", "api (limits)",
                                 "upstream.mqtt", "upstream.outbox", "history"});
  auto secret = after;
  secret.upstream.mqtt->password = "new";
  CHECK(diff_configs(after, secret).needs_restart == std::vector<std::string>{"upstream.mqtt"});
}

TEST_CASE("config diff: OpenFrame's status period needs a restart", "[config]") {
  auto after = room();
  after.dialects.openframe.status_every = Duration(2000);
  CHECK(diff_configs(room(), after).needs_restart ==
        std::vector<std::string>{"dialects.openframe"});
}

TEST_CASE("config diff: alert rules and options apply at once", "[config][alerts]") {
  auto after = room();
  AlertRuleConfig rule;
  rule.when = "sys-1/Display_1/power == true";
  after.alerts.push_back(rule);
  auto diff = diff_configs(room(), after);
  CHECK(diff.alerts_changed);
  CHECK_FALSE(diff.empty());
  CHECK(diff.needs_restart.empty());
  after = room();
  after.alert_options.log_quiet = std::chrono::minutes(1);
  CHECK(diff_configs(room(), after).alerts_changed);
  CHECK_FALSE(diff_configs(room(), room()).alerts_changed);
}
