#include "uplink/mqtt/mqtt_client.hpp"

#include "tests/support/mqtt_test_subscriber.hpp"
#include "tests/support/tcp_test_server.hpp"
#include "tests/support/wait.hpp"
#include "tests/uplink/mqtt/log_capture.hpp"

#include <catch2/catch.hpp>

#include <regex>

using namespace roomd;
using namespace roomd::test;
using namespace std::chrono_literals;

namespace {

// Counts what a client reported, for the tests that watch it connect and disconnect.
struct Events {
  int connects = 0;
  std::vector<std::string> disconnects;
  std::vector<MqttMessage> messages;

  void watch(MqttClient& client) {
    client.on_connected([this] { ++connects; });
    client.on_disconnected(
        [this](std::string reason) { disconnects.push_back(std::move(reason)); });
    client.on_message([this](MqttMessage message) { messages.push_back(std::move(message)); });
  }
};

}  // namespace

TEST_CASE("a QoS 1 publish is acknowledged and arrives byte for byte, over MQTT 5 and 3.1.1") {
  const int protocol = GENERATE(5, 311);
  MosquittoBroker broker;
  boost::asio::io_context io;
  const auto options = test_mqtt_options(broker, false, protocol);
  MqttTestSubscriber subscriber(io, options);
  REQUIRE(subscriber.subscribe("roomd/room-101/events"));

  Events events;
  MqttClient client(io.get_executor(), options);
  events.watch(client);
  client.start();
  REQUIRE(run_until(io, [&] { return events.connects == 1; }));
  CHECK(client.connected());

  const std::string payload("{\"seq\":1}\0\xff\x01 \xc3\xa9", 16);
  CHECK(publish_and_wait(io, client, "roomd/room-101/events", payload) == true);
  REQUIRE(subscriber.wait_for(1));
  const auto& message = subscriber.messages()[0];
  CHECK(message.topic == "roomd/room-101/events");
  CHECK(message.payload == payload);
  CHECK(message.qos == 1);
  CHECK_FALSE(message.retain);

  // QoS 0 completes once written.
  CHECK(publish_and_wait(io, client, "roomd/room-101/events", "q0", 0) == true);
  REQUIRE(subscriber.wait_for(2));
  CHECK(subscriber.messages()[1].payload == "q0");
  CHECK(events.disconnects.empty());
}

TEST_CASE("a retained message reaches a subscriber that comes later") {
  MosquittoBroker broker;
  boost::asio::io_context io;
  MqttClient client(io.get_executor(), test_mqtt_options(broker));
  client.start();
  REQUIRE(run_until(io, [&] { return client.connected(); }));
  const std::string topic = "roomd/room-101/state/sys-101/Display_1/power";
  REQUIRE(publish_and_wait(io, client, topic, "true", 1, true) == true);

  MqttTestSubscriber late(io, test_mqtt_options(broker));
  REQUIRE(late.subscribe("roomd/room-101/state/#"));
  REQUIRE(late.wait_for(1));
  CHECK(late.messages()[0].topic == topic);
  CHECK(late.messages()[0].payload == "true");
  CHECK(late.messages()[0].retain);
}

TEST_CASE("a subscription delivers messages to on_message, and a bad filter is refused") {
  const int protocol = GENERATE(5, 311);
  MosquittoBroker broker;
  boost::asio::io_context io;
  const auto options = test_mqtt_options(broker, false, protocol);
  Events events;
  MqttClient client(io.get_executor(), options);
  events.watch(client);
  std::optional<bool> granted;
  client.subscribe("roomd/room-101/cmd", 1, [&](bool ok) { granted = ok; });
  client.start();
  REQUIRE(run_until(io, [&] { return granted.has_value(); }));
  CHECK(*granted);

  MqttClient sender(io.get_executor(), options);
  sender.start();
  REQUIRE(run_until(io, [&] { return sender.connected(); }));
  const std::string request =
      R"({"id":1,"cmd":"exec","sys":"sys-101","mod":"Display","name":"power","args":[true]})";
  REQUIRE(publish_and_wait(io, sender, "roomd/room-101/cmd", request) == true);
  REQUIRE(run_until(io, [&] { return events.messages.size() == 1; }));
  CHECK(events.messages[0].topic == "roomd/room-101/cmd");
  CHECK(events.messages[0].payload == request);

  std::optional<bool> bad;
  client.subscribe("roomd/#/cmd", 1, [&](bool ok) { bad = ok; });
  REQUIRE(run_until(io, [&] { return bad.has_value(); }));
  CHECK_FALSE(*bad);
}

TEST_CASE("a publish when not connected answers false at once") {
  MosquittoBroker broker;
  boost::asio::io_context io;
  MqttClient client(io.get_executor(), test_mqtt_options(broker));  // never started
  CHECK(publish_and_wait(io, client, "roomd/room-101/events", "x") == false);
}

TEST_CASE("after the broker restarts the client reconnects by itself and resubscribes") {
  MosquittoBroker broker;
  boost::asio::io_context io;
  LogCapture logs;
  auto options = test_mqtt_options(broker);
  Events events;
  MqttClient client(io.get_executor(), options, logs.sink());
  events.watch(client);
  std::optional<bool> granted;
  client.subscribe("roomd/room-101/cmd", 1, [&](bool ok) { granted = ok; });
  client.start();
  REQUIRE(run_until(io, [&] { return events.connects == 1 && granted == true; }));

  // Frozen, the broker takes the publish but never acknowledges it; killed, it drops the
  // connection with the publish still unacknowledged.
  broker.freeze();
  std::optional<bool> pending;
  client.publish("roomd/room-101/events", "in flight", 1, false, [&](bool ok) { pending = ok; });
  broker.kill();
  REQUIRE(run_until(io, [&] { return events.disconnects.size() == 1; }));
  CHECK(pending == false);
  CHECK_FALSE(client.connected());
  CHECK_FALSE(logs.find(LogLevel::warn, "lost the connection to MQTT broker 127.0.0.1:" +
                                            std::to_string(broker.port()))
                  .empty());

  // Attempts while the broker is down fail and back off within the configured bounds.
  REQUIRE(run_until(
      io, [&] { return !logs.find(LogLevel::warn, "cannot connect to MQTT broker").empty(); }));
  broker.start();
  REQUIRE(run_until(
      io, [&] { return events.connects == 2; }, 20s));
  CHECK(events.disconnects.size() == 1);
  CHECK(client.connected());

  std::vector<long> delays;
  const std::regex next_attempt("next attempt in ([0-9]+)ms");
  for (const auto& [level, line] : logs.lines) {
    std::smatch match;
    if (std::regex_search(line, match, next_attempt)) delays.push_back(std::stol(match[1]));
  }
  REQUIRE_FALSE(delays.empty());
  for (long delay : delays) {
    CHECK(delay >= options.backoff_min.count());
    CHECK(delay <= options.backoff_max.count());
  }

  // Subscribed again: a retained request is delivered whether it lands before or after the
  // new SUBSCRIBE.
  MqttClient sender(io.get_executor(), options);
  sender.start();
  REQUIRE(run_until(io, [&] { return sender.connected(); }));
  REQUIRE(publish_and_wait(io, sender, "roomd/room-101/cmd", "after restart", 1, true) == true);
  REQUIRE(run_until(io, [&] { return events.messages.size() == 1; }));
  CHECK(events.messages[0].payload == "after restart");
  CHECK(publish_and_wait(io, client, "roomd/room-101/events", "resent") == true);
}

TEST_CASE("a refused connect is one clear warning, and stop() ends the backoff wait at once") {
  MosquittoBroker broker;
  broker.stop();  // nothing listens on its port now
  boost::asio::io_context io;
  LogCapture logs;
  auto options = test_mqtt_options(broker);
  options.backoff_min = options.backoff_max = 60s;
  MqttClient client(io.get_executor(), options, logs.sink());
  client.start();
  REQUIRE(run_until(io, [&] { return !logs.at_least(LogLevel::warn).empty(); }));
  CHECK(logs.at_least(LogLevel::warn) ==
        std::vector<std::string>{
            "cannot connect to MQTT broker 127.0.0.1:" + std::to_string(broker.port()) +
            ": Connection refused; check that the broker runs and listens "
            "there (upstream.mqtt.url) and the network path to it; retrying "
            "with backoff"});
  const auto before = std::chrono::steady_clock::now();
  client.stop();
  // Far below the 60 s the thread would otherwise sleep.
  CHECK(std::chrono::steady_clock::now() - before < 5s);
  client.stop();  // idempotent
}

TEST_CASE("stop() while the peer never answers the CONNECT returns at once") {
  boost::asio::io_context io;
  TcpTestServer silent(io);  // accepts, records, never answers
  MqttOptions options;
  options.host = "127.0.0.1";
  options.port = silent.port();
  options.keepalive = 60s;
  options.backoff_min = options.backoff_max = 60s;
  MqttClient client(io.get_executor(), options);
  client.start();
  REQUIRE(run_until(io, [&] { return !silent.received().empty(); }));
  CHECK(silent.received()[0] == '\x10');  // CONNECT
  CHECK_FALSE(client.connected());
  const auto before = std::chrono::steady_clock::now();
  client.stop();
  CHECK(std::chrono::steady_clock::now() - before < 5s);
}
