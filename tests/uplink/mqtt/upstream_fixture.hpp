// The upstream on the API tests' runtime (sys-1: Display_1 mod-a, Display_2 mod-b, Switcher_1
// mod-net; sys-2: Display_1 mod-c), an outbox in a temp dir and a real mosquitto with
// persistence, plus a consumer that keeps its session across broker restarts: tests read what
// the box published the way a central consumer would.
#pragma once

#include "tests/support/mqtt_test_subscriber.hpp"
#include "tests/uplink/api_fixture.hpp"
#include "uplink/mqtt/upstream.hpp"
#include "uplink/outbox/outbox.hpp"

#include <functional>
#include <memory>
#include <string>

namespace roomd::test {

constexpr const char* kBox = "box-api";  // ApiFixture's box id

class UpstreamFixture {
 public:
  // At `broker` (a box forked from a test shares the test's), or at a broker of its own.
  explicit UpstreamFixture(MosquittoBroker* broker = nullptr);
  ~UpstreamFixture();  // stops the upstream (on the API strand) before the outbox goes

  // upstream.mqtt at the broker's plain port: unlimited drain, reconnects within 400 ms.
  MqttConfig config;

  // Makes and starts the upstream with `config` on the API strand.
  void start();
  void stop();
  // Runs fn on the API strand with the upstream (started).
  void with_upstream(const std::function<void(Upstream&)>& fn);
  // `count` log records of level warn, "msg" "record <i>" from 1; waits until committed.
  void append(int count);
  // The options of a consumer whose session (subscriptions, queued QoS 1 messages) the broker
  // keeps while it is disconnected.
  MqttOptions consumer_options(const std::string& client_id) const;

  std::unique_ptr<MosquittoBroker> own_broker;
  MosquittoBroker& broker;
  ApiFixture api;
  TempDir outbox_dir;
  Outbox outbox;
  std::unique_ptr<Upstream> upstream;
};

}  // namespace roomd::test
