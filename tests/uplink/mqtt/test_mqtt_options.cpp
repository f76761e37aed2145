#include "uplink/mqtt/mqtt_options.hpp"

#include <catch2/catch.hpp>

using namespace roomd;

TEST_CASE("mqtt_options maps upstream.mqtt onto the client's options") {
  MqttConfig config;
  config.host = "broker.example";
  config.port = 8883;
  config.tls = true;
  config.protocol = 5;
  config.client_id = "room-101";
  config.username = "box";
  config.password = "s3cret";
  config.ca_file = "/etc/roomd/ca.pem";
  config.cert_file = "/etc/roomd/box.pem";
  config.key_file = "/etc/roomd/box.key";
  config.keepalive = std::chrono::milliseconds(45000);
  config.backoff_min = std::chrono::milliseconds(250);
  config.backoff_max = std::chrono::milliseconds(60000);
  const auto options =
      mqtt_options(config, MqttOptions::Will{.topic = "roomd/room-101/online", .payload = "{}"});
  CHECK(options.host == "broker.example");
  CHECK(options.port == 8883);
  CHECK(options.tls);
  CHECK(options.protocol == 5);
  CHECK(options.client_id == "room-101");
  CHECK(options.username == "box");
  CHECK(options.password == "s3cret");
  CHECK(options.ca_file == "/etc/roomd/ca.pem");
  CHECK(options.cert_file == "/etc/roomd/box.pem");
  CHECK(options.key_file == "/etc/roomd/box.key");
  CHECK(options.keepalive == std::chrono::seconds(45));
  CHECK(options.backoff_min == std::chrono::milliseconds(250));
  CHECK(options.backoff_max == std::chrono::milliseconds(60000));
  REQUIRE(options.will);
  CHECK(options.will->topic == "roomd/room-101/online");
  CHECK(options.will->retain);
  CHECK(options.will->qos == 1);

  config.protocol = 311;
  CHECK(mqtt_options(config, std::nullopt).protocol == 311);
  CHECK_FALSE(mqtt_options(config, std::nullopt).will);
}

TEST_CASE("mqtt_endpoint writes IPv6 hosts in brackets") {
  MqttOptions options;
  options.host = "::1";
  options.port = 1884;
  CHECK(mqtt_endpoint(options) == "[::1]:1884");
  options.host = "broker";
  CHECK(mqtt_endpoint(options) == "broker:1884");
}
