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
