#include "uplink/mqtt/mqtt_options.hpp"

#include <catch2/catch.hpp>

using roomd::MqttOptions;
using roomd::set_mqtt_url;

TEST_CASE("mqtt and mqtts URLs set host, port and TLS with the default ports") {
  MqttOptions options;
  CHECK(set_mqtt_url(options, "mqtt://broker.example").empty());
  CHECK(options.host == "broker.example");
  CHECK(options.port == 1883);
  CHECK_FALSE(options.tls);

  CHECK(set_mqtt_url(options, "mqtts://broker.example").empty());
  CHECK(options.port == 8883);
  CHECK(options.tls);

  CHECK(set_mqtt_url(options, "mqtts://10.0.0.2:18883/").empty());
  CHECK(options.host == "10.0.0.2");
  CHECK(options.port == 18883);

  CHECK(set_mqtt_url(options, "mqtt://[::1]:1884").empty());
  CHECK(options.host == "::1");
  CHECK(options.port == 1884);
  CHECK(roomd::mqtt_endpoint(options) == "[::1]:1884");
  CHECK(set_mqtt_url(options, "mqtt://[fe80::1]").empty());
  CHECK(options.port == 1883);
}

TEST_CASE("a bad MQTT URL is refused with what is wrong and leaves the options alone") {
  MqttOptions options;
  options.host = "kept";
  CHECK(set_mqtt_url(options, "http://broker") ==
        "expected mqtt://host[:port] or mqtts://host[:port], got \"http://broker\"");
  CHECK(set_mqtt_url(options, "mqtt://") == "missing the broker's host in \"mqtt://\"");
  CHECK(set_mqtt_url(options, "mqtt://broker:70000") ==
        "port must be 1-65535, got \"70000\" in \"mqtt://broker:70000\"");
  CHECK(set_mqtt_url(options, "mqtt://broker:") ==
        "port must be 1-65535, got \"\" in \"mqtt://broker:\"");
  CHECK(set_mqtt_url(options, "mqtt://broker:12x").starts_with("port must be 1-65535"));
  CHECK(set_mqtt_url(options, "mqtt://broker/path") ==
        "expected no path after the host and port, got \"mqtt://broker/path\"");
  CHECK(set_mqtt_url(options, "mqtt://::1").starts_with("write an IPv6 address in brackets"));
  CHECK(set_mqtt_url(options, "mqtt://[::1").starts_with("unclosed '['"));
  CHECK(options.host == "kept");
}

TEST_CASE("credentials in an MQTT URL are refused without quoting them") {
  MqttOptions options;
  const auto error = set_mqtt_url(options, "mqtts://user:s3cret@broker");
  CHECK(error.find("s3cret") == std::string::npos);
  CHECK(error.find("upstream.mqtt.password") != std::string::npos);
}
