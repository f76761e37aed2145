// An MQTT client for assertions: subscribes at a test broker and records every message with
// its topic, payload and retain flag, on the test's io_context. Also the client options a
// test uses to reach a MosquittoBroker.
#pragma once

#include "tests/support/mosquitto_broker.hpp"
#include "uplink/mqtt/mqtt_client.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace roomd::test {

// Options for 127.0.0.1 at `broker`'s plain port (or its TLS port with the test CA and the
// client certificate), MQTT `protocol`, and short backoff so reconnects happen within a test.
MqttOptions test_mqtt_options(const MosquittoBroker& broker, bool tls = false, int protocol = 5);

// Publishes and runs `io` until done() answers; the answer, or nullopt if none in time.
std::optional<bool> publish_and_wait(boost::asio::io_context& io, MqttClient& client,
                                     const std::string& topic, const std::string& payload,
                                     int qos = 1, bool retain = false);

class MqttTestSubscriber {
 public:
  MqttTestSubscriber(boost::asio::io_context& io, MqttOptions options);

  // Connects if needed, subscribes and waits for the broker's SUBACK; false if refused or
  // not answered in time.
  bool subscribe(const std::string& filter, int qos = 1);
  // Runs the io_context until `count` messages arrived in all; false on timeout.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  const std::vector<MqttMessage>& messages() const { return messages_; }
  MqttClient& client() { return client_; }

 private:
  boost::asio::io_context& io_;
  std::vector<MqttMessage> messages_;
  MqttClient client_;
};

}  // namespace roomd::test
