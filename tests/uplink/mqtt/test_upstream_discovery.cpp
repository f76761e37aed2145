#include "tests/support/wait.hpp"
#include "tests/uplink/mqtt/upstream_fixture.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;

namespace {

const std::string kDevices = std::string("homeassistant/device/") + kBox + "/";
const std::string kBase = std::string("roomd/") + kBox;

const MqttMessage* last_on(const std::vector<MqttMessage>& messages, const std::string& topic) {
  const MqttMessage* found = nullptr;
  for (const auto& message : messages)
    if (message.topic == topic) found = &message;
  return found;
}

}  // namespace

TEST_CASE("Home Assistant discovery: one device per module, stale ones cleared") {
  UpstreamFixture fx;
  fx.config.discovery = "homeassistant";
  fx.api.set_status("mod-a", "power", true);
  fx.api.set_status("mod-a", "input", "hdmi1");
  fx.api.set_status("mod-c", "reset", true);  // set by a privileged method: read-only
  fx.api.set_status("mod-c", "info", Json{{"model", "X1"}});

  boost::asio::io_context io;
  MqttTestSubscriber ha(io, test_mqtt_options(fx.broker));
  REQUIRE(ha.subscribe(kDevices + "+/config"));
  // A module removed from the config left its device behind.
  REQUIRE(publish_and_wait(io, ha.client(), kDevices + "mod-gone/config", "{\"cmps\":{}}", 1,
                           true) == true);
  fx.start();
  REQUIRE(run_until(io, [&] {
    const auto* gone = last_on(ha.messages(), kDevices + "mod-gone/config");
    return gone && gone->payload.empty() && last_on(ha.messages(), kDevices + "mod-a/config") &&
           last_on(ha.messages(), kDevices + "mod-c/config");
  }));

  const auto a = Json::parse(last_on(ha.messages(), kDevices + "mod-a/config")->payload);
  CHECK(a.at("availability_topic") == kBase + "/online");
  const auto& power = a.at("cmps").at("power");
  CHECK(power.at("p") == "switch");
  CHECK(power.at("state_topic") == kBase + "/state/sys-1/Display_1/power");
  CHECK(power.at("command_topic") == kBase + "/cmd");
  const auto& input = a.at("cmps").at("input");
  CHECK(input.at("p") == "sensor");
  CHECK(input.at("state_topic") == kBase + "/state/sys-1/Display_1/input");

  const auto c = Json::parse(last_on(ha.messages(), kDevices + "mod-c/config")->payload);
  CHECK(c.at("cmps").at("reset").at("p") == "binary_sensor");
  CHECK_FALSE(c.at("cmps").contains("info"));  // an object is no Home Assistant state

  // The command template, rendered as Home Assistant would for OFF, is an exec that works.
  std::string command = power.at("command_template");
  const std::string jinja = "{{ 'true' if value == 'ON' else 'false' }}";
  REQUIRE(command.find(jinja) != std::string::npos);
  command.replace(command.find(jinja), jinja.size(), "false");
  REQUIRE(publish_and_wait(io, ha.client(), kBase + "/cmd", command) == true);
  REQUIRE(wait_until_on(
      fx.api, [&] { return fx.api.runtime().state().get("mod-a", "power") == Json(false); }));
}

TEST_CASE("Home Assistant discovery: a variable that appears later republishes its module") {
  UpstreamFixture fx;
  fx.config.discovery = "homeassistant";
  fx.api.set_status("mod-a", "power", true);
  boost::asio::io_context io;
  MqttTestSubscriber ha(io, test_mqtt_options(fx.broker));
  REQUIRE(ha.subscribe(kDevices + "mod-a/config"));
  fx.start();
  REQUIRE(run_until(io, [&] { return last_on(ha.messages(), kDevices + "mod-a/config"); }));
  const auto published = ha.messages().size();

  // A known variable changing publishes no new config; a new one does, with its component.
  auto change = [&](const char* name, Json value) {
    fx.api.set_status("mod-a", name, value);
    fx.with_upstream([&](Upstream& up) {
      up.status_changed({.sys = "sys-1",
                         .mod = "Display",
                         .index = 1,
                         .module_id = "mod-a",
                         .name = name,
                         .value = std::make_shared<const std::string>(value.dump()),
                         .ts = 2.5});
    });
  };
  change("power", false);
  change("volume", 30);
  REQUIRE(run_until(io, [&] {
    const auto* config = last_on(ha.messages(), kDevices + "mod-a/config");
    return Json::parse(config->payload).at("cmps").contains("volume");
  }));
  CHECK(ha.messages().size() == published + 1);
  const auto a = Json::parse(last_on(ha.messages(), kDevices + "mod-a/config")->payload);
  CHECK(a.at("cmps").at("volume").at("state_topic") == kBase + "/state/sys-1/Display_1/volume");
  CHECK(a.at("cmps").contains("power"));
}

TEST_CASE("Home Assistant discovery: a module a config reload removed is cleared at once") {
  UpstreamFixture fx;
  fx.config.discovery = "homeassistant";
  fx.api.set_status("mod-b", "power", true);
  boost::asio::io_context io;
  MqttTestSubscriber ha(io, test_mqtt_options(fx.broker));
  REQUIRE(ha.subscribe(kDevices + "mod-b/config"));
  fx.start();
  REQUIRE(run_until(io, [&] {
    const auto* config = last_on(ha.messages(), kDevices + "mod-b/config");
    return config && !config->payload.empty();
  }));

  auto next = fx.api.runtime().config();
  std::erase_if(next.modules, [](const ModuleConfig& m) { return m.id == "mod-b"; });
  std::erase(next.systems[0].modules, "mod-b");
  fx.api.on_io([&] { fx.api.runtime().reload(next); });
  fx.with_upstream([](Upstream& up) { up.modules_removed({"mod-b"}); });
  CHECK(run_until(
      io, [&] { return last_on(ha.messages(), kDevices + "mod-b/config")->payload.empty(); }));
}
