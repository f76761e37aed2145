#include "tests/support/wait.hpp"
#include "tests/uplink/mqtt/upstream_fixture.hpp"
#include "uplink/core/request_core.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <map>

using namespace roomd;
using namespace roomd::test;
using namespace std::chrono_literals;

namespace {

const std::string kBase = std::string("roomd/") + kBox;

// Everything published before the upstream drained one record has reached the broker: one
// connection's messages are handled in order.
void wait_published_before_drain(UpstreamFixture& fx) {
  fx.append(1);
  REQUIRE(wait_until([&] { return fx.outbox.stats().pending == 0; }));
}

// What the recorder hands the upstream when mod-b (sys-1 Display_2) changes `power`.
void power_changed(UpstreamFixture& fx, SharedText value) {
  fx.with_upstream([&](Upstream& up) {
    up.status_changed({.sys = "sys-1",
                       .mod = "Display",
                       .index = 2,
                       .module_id = "mod-b",
                       .name = "power",
                       .value = std::move(value),
                       .ts = 1.5});
  });
}

std::map<std::string, const MqttMessage*> by_topic(const std::vector<MqttMessage>& messages) {
  std::map<std::string, const MqttMessage*> out;
  for (const auto& message : messages) out[message.topic] = &message;
  return out;
}

}  // namespace

TEST_CASE("after connect the retained online and state topics match the state store") {
  UpstreamFixture fx;
  fx.api.set_status("mod-a", "power", true);
  fx.api.set_status("mod-a", "input", "hdmi1");
  fx.api.set_status("mod-b", "volume", 42);
  fx.api.set_status("mod-c", "info", Json{{"model", "X1"}, {"hours", 12}});
  fx.start();
  wait_published_before_drain(fx);

  std::map<std::string, std::string> expected;
  const std::vector<std::pair<std::string, std::string>> places = {{"mod-a", "sys-1/Display_1"},
                                                                   {"mod-b", "sys-1/Display_2"},
                                                                   {"mod-net", "sys-1/Switcher_1"},
                                                                   {"mod-c", "sys-2/Display_1"}};
  fx.api.on_io([&] {
    for (const auto& [module_id, place] : places) {
      const auto state = fx.api.runtime().state().module_state(module_id);
      for (const auto& [name, value] : state.items())
        expected[kBase + "/state/" + place + "/" + name] = value.dump();
    }
  });
  REQUIRE(expected.size() >= 4);
  CHECK(expected.at(kBase + "/state/sys-1/Display_1/input") == "\"hdmi1\"");

  boost::asio::io_context io;
  MqttTestSubscriber late(io, test_mqtt_options(fx.broker));
  REQUIRE(late.subscribe(kBase + "/state/#"));
  REQUIRE(late.wait_for(expected.size()));
  std::map<std::string, std::string> retained;
  for (const auto& message : late.messages()) {
    CHECK(message.retain);
    retained[message.topic] = message.payload;
  }
  CHECK(retained == expected);

  MqttTestSubscriber online(io, test_mqtt_options(fx.broker));
  REQUIRE(online.subscribe(kBase + "/online"));
  REQUIRE(online.wait_for(1));
  CHECK(online.messages()[0].retain);
  const auto payload = Json::parse(online.messages()[0].payload);
  CHECK(payload.at("online") == true);
  CHECK(payload.at("epoch") == fx.outbox.epoch());
  CHECK(payload.at("version") == RequestCore::version());
  CHECK(payload.at("since").is_number());
  CHECK(payload.at("evicted").is_object());
}

TEST_CASE("status changes update their retained state topic, a deleted variable clears it") {
  UpstreamFixture fx;
  fx.start();
  wait_published_before_drain(fx);
  boost::asio::io_context io;
  MqttTestSubscriber subscriber(io, test_mqtt_options(fx.broker));
  const std::string topic = kBase + "/state/sys-1/Display_2/power";
  REQUIRE(subscriber.subscribe(topic));

  auto change = [&](SharedText value) { power_changed(fx, std::move(value)); };
  change(std::make_shared<const std::string>("true"));
  REQUIRE(subscriber.wait_for(1));
  CHECK(subscriber.messages()[0].payload == "true");
  change(nullptr);
  REQUIRE(subscriber.wait_for(2));
  CHECK(subscriber.messages()[1].payload.empty());

  // Cleared: a consumer arriving now finds nothing retained there.
  change(std::make_shared<const std::string>("\"on\""));
  change(nullptr);
  wait_published_before_drain(fx);
  MqttTestSubscriber late(io, test_mqtt_options(fx.broker));
  REQUIRE(late.subscribe(kBase + "/state/#"));
  REQUIRE(late.subscribe(kBase + "/online"));  // retained: arrives after any state
  REQUIRE(run_until(io, [&] { return by_topic(late.messages()).count(kBase + "/online") == 1; }));
  CHECK(by_topic(late.messages()).count(topic) == 0);
}

TEST_CASE("a variable deleted while the broker was away is cleared at the next connect") {
  UpstreamFixture fx;
  fx.api.set_status("mod-b", "power", true);
  fx.api.set_status("mod-b", "input", "hdmi2");
  fx.start();
  wait_published_before_drain(fx);
  const std::string power = kBase + "/state/sys-1/Display_2/power";
  const std::string input = kBase + "/state/sys-1/Display_2/input";

  fx.broker.stop();
  auto connected = [&] {
    bool up = false;
    fx.with_upstream([&](Upstream& upstream) { up = upstream.connected(); });
    return up;
  };
  REQUIRE(wait_until([&] { return !connected(); }));
  // The driver deletes the variable (the recorder hands the upstream the change).
  fx.api.on_io([&] { fx.api.runtime().state().erase("mod-b", "power"); });
  power_changed(fx, nullptr);
  fx.broker.start();
  REQUIRE(wait_until([&] { return connected(); }, std::chrono::seconds(10)));
  wait_published_before_drain(fx);

  boost::asio::io_context io;
  MqttTestSubscriber late(io, test_mqtt_options(fx.broker));
  REQUIRE(late.subscribe(kBase + "/state/#"));
  REQUIRE(late.subscribe(kBase + "/online"));  // retained: arrives after any state
  REQUIRE(run_until(io, [&] { return by_topic(late.messages()).count(kBase + "/online") == 1; }));
  const auto retained = by_topic(late.messages());
  CHECK(retained.count(power) == 0);
  REQUIRE(retained.count(input) == 1);
  CHECK(retained.at(input)->payload == "\"hdmi2\"");
}

TEST_CASE("stop() says the box is offline, retained") {
  UpstreamFixture fx;
  fx.start();
  REQUIRE(wait_until([&] { return fx.upstream->connected(); }));
  const auto epoch = fx.outbox.epoch();
  fx.stop();
  boost::asio::io_context io;
  MqttTestSubscriber late(io, test_mqtt_options(fx.broker));
  REQUIRE(late.subscribe(kBase + "/online"));
  REQUIRE(late.wait_for(1));
  CHECK(Json::parse(late.messages()[0].payload) == Json{{"online", false}, {"epoch", epoch}});
}

TEST_CASE("the last will flips online to false when the box dies") {
  MosquittoBroker broker;
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  // Forked before this process starts any thread of its own.
  const pid_t box = fork();
  if (box == 0) {
    UpstreamFixture fx(&broker);
    fx.start();
    if (!wait_until([&] { return fx.upstream->connected(); }) || write(ready[1], "c", 1) != 1)
      _exit(2);
    for (;;) pause();
  }
  close(ready[1]);
  const bool connected = wait_readable(ready[0], 20s);
  close(ready[0]);
  boost::asio::io_context io;
  MqttTestSubscriber subscriber(io, test_mqtt_options(broker));
  REQUIRE(subscriber.subscribe(kBase + "/online"));
  const bool online = subscriber.wait_for(1);
  ::kill(box, SIGKILL);
  int status = 0;
  waitpid(box, &status, 0);
  REQUIRE(connected);
  REQUIRE(online);
  CHECK(Json::parse(subscriber.messages()[0].payload).at("online") == true);

  REQUIRE(subscriber.wait_for(2));
  // The child's outbox was new: its first boot.
  CHECK(Json::parse(subscriber.messages()[1].payload) == Json{{"online", false}, {"epoch", 1}});
}
