#include "uplink/mqtt/mqtt_client.hpp"

#include "tests/support/mqtt_test_subscriber.hpp"
#include "tests/support/wait.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/asio/executor_work_guard.hpp>
#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kOnline = "roomd/room-101/online";
constexpr const char* kWill = R"({"online": false, "epoch": 7})";

// The child: connects with the last will, says so on `ready`, and waits to be killed.
[[noreturn]] void run_box(const MosquittoBroker& broker, int ready) {
  boost::asio::io_context io;
  auto options = test_mqtt_options(broker);
  options.client_id = "room-101";
  options.will = MqttOptions::Will{.topic = kOnline, .payload = kWill, .qos = 1, .retain = true};
  MqttClient client(io.get_executor(), options);
  client.on_connected([ready] {
    if (write(ready, "c", 1) != 1) _exit(2);
  });
  client.start();
  // The client's thread posts from outside: without the guard, run_for would return at once.
  auto guard = boost::asio::make_work_guard(io);
  io.run_for(60s);
  _exit(1);
}

}  // namespace

TEST_CASE("the last will is published when the box's process dies") {
  MosquittoBroker broker;
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  // Forked before this process starts any thread of its own.
  const pid_t box = fork();
  if (box == 0) run_box(broker, ready[1]);
  close(ready[1]);
  const bool connected = wait_readable(ready[0], 10s);
  close(ready[0]);
  if (!connected) {
    kill(box, SIGKILL);
    int status = 0;
    waitpid(box, &status, 0);
    FAIL("the box did not connect; its status: " << status);
  }

  boost::asio::io_context io;
  MqttTestSubscriber subscriber(io, test_mqtt_options(broker));
  REQUIRE(subscriber.subscribe(kOnline));
  CHECK(subscriber.messages().empty());

  kill(box, SIGKILL);
  int status = 0;
  waitpid(box, &status, 0);
  REQUIRE(subscriber.wait_for(1));
  CHECK(subscriber.messages()[0].topic == kOnline);
  CHECK(subscriber.messages()[0].payload == kWill);

  // Retained: a consumer that connects later sees the box offline.
  MqttTestSubscriber late(io, test_mqtt_options(broker));
  REQUIRE(late.subscribe(kOnline));
  REQUIRE(late.wait_for(1));
  CHECK(late.messages()[0].payload == kWill);
  CHECK(late.messages()[0].retain);
}

TEST_CASE("stop() disconnects cleanly: the broker discards the last will") {
  MosquittoBroker broker;
  boost::asio::io_context io;
  MqttTestSubscriber subscriber(io, test_mqtt_options(broker));
  REQUIRE(subscriber.subscribe("roomd/room-101/#"));
  auto options = test_mqtt_options(broker);
  options.will = MqttOptions::Will{.topic = kOnline, .payload = kWill};
  MqttClient client(io.get_executor(), options);
  client.start();
  REQUIRE(run_until(io, [&] { return client.connected(); }));
  client.stop();
  // A message published after the stop arrives; had the will been sent, it would come first.
  MqttClient marker(io.get_executor(), test_mqtt_options(broker));
  marker.start();
  REQUIRE(run_until(io, [&] { return marker.connected(); }));
  REQUIRE(publish_and_wait(io, marker, "roomd/room-101/marker", "after stop") == true);
  REQUIRE(subscriber.wait_for(1));
  CHECK(subscriber.messages()[0].topic == "roomd/room-101/marker");
}
