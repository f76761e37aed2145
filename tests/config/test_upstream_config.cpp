#include "config/config.hpp"
#include "config/upstream_schema.hpp"
#include "tests/config/config_errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

namespace roomd {
namespace {

std::string with_upstream(const std::string& upstream) {
  return R"({ "box": { "id": "room-101" }, "modules": [ { "id": "m", "driver": "room", "name": "System" } ],
             "upstream": )" +
         upstream + " }";
}

using test::errors_of;

}  // namespace

TEST_CASE("upstream: the defaults design.md names, client id from the box", "[config]") {
  auto result = parse_config(with_upstream(R"({ "mqtt": { "url": "mqtt://broker.local" } })"));
  REQUIRE(result.errors.empty());
  const auto& up = result.config->upstream;
  REQUIRE(up.mqtt);
  CHECK(up.mqtt->host == "broker.local");
  CHECK(up.mqtt->port == 1883);
  CHECK_FALSE(up.mqtt->tls);
  CHECK(up.mqtt->protocol == 311);
  CHECK(up.mqtt->client_id == "room-101");
  CHECK(up.mqtt->topic_prefix == "roomd");
  CHECK(up.mqtt->keepalive == std::chrono::seconds(30));
  CHECK(up.mqtt->backoff_min == std::chrono::seconds(1));
  CHECK(up.mqtt->backoff_max == std::chrono::minutes(5));
  CHECK(up.mqtt->drain_rate == 1000);
  CHECK(up.mqtt->inflight == 32);
  CHECK(up.mqtt->key_id == "upstream");
  CHECK(up.mqtt->role == "operator");
  CHECK(up.mqtt->discovery.empty());
  CHECK(up.outbox_enabled);
  CHECK(up.outbox.max_bytes == 256u << 20);
  CHECK(up.outbox.max_age == std::chrono::hours(24 * 30));
  CHECK(up.outbox.sync_full);
}

TEST_CASE("upstream: no section, no outbox and no broker", "[config]") {
  auto result = parse_config(
      R"({ "box": { "id": "b" }, "modules": [ { "id": "m", "driver": "room", "name": "System" } ] })");
  REQUIRE(result.errors.empty());
  CHECK_FALSE(result.config->upstream.mqtt);
  CHECK_FALSE(result.config->upstream.outbox_enabled);
}

TEST_CASE("upstream: an outbox alone keeps history before a broker is known", "[config]") {
  auto result = parse_config(
      with_upstream(R"({ "outbox": { "max_bytes": "1MiB", "max_age": "7d", "sync": "normal" } })"));
  REQUIRE(result.errors.empty());
  const auto& up = result.config->upstream;
  CHECK_FALSE(up.mqtt);
  CHECK(up.outbox_enabled);
  CHECK(up.outbox.max_bytes == 1u << 20);
  CHECK(up.outbox.max_age == std::chrono::hours(24 * 7));
  CHECK_FALSE(up.outbox.sync_full);
}

TEST_CASE("upstream: every key read, TLS files checked", "[config]") {
  test::TempDir dir;
  const auto ca = dir.path() + "/ca.pem";
  std::ofstream(ca) << "x";
  auto result = parse_config(with_upstream(R"({ "mqtt": {
      "url": "mqtts://[fd00::5]:9883", "protocol": "5", "client_id": "c1",
      "username": "box", "password": "pw", "ca_file": ")" +
                                           ca + R"(",
      "topic_prefix": "acme/rooms", "keepalive": "10s", "backoff_min": "2s", "backoff_max": "1m",
      "drain_rate": 0, "inflight": 8, "key_id": "hq", "role": "admin",
      "discovery": "homeassistant" } })"));
  INFO((result.errors.empty() ? "" : result.errors.front().text()));
  REQUIRE(result.errors.empty());
  const auto& mqtt = *result.config->upstream.mqtt;
  CHECK(mqtt.host == "fd00::5");
  CHECK(mqtt.port == 9883);
  CHECK(mqtt.tls);
  CHECK(mqtt.protocol == 5);
  CHECK(mqtt.client_id == "c1");
  CHECK(mqtt.username == "box");
  CHECK(mqtt.password == "pw");
  CHECK(mqtt.ca_file == ca);
  CHECK(mqtt.topic_prefix == "acme/rooms");
  CHECK(mqtt.keepalive == std::chrono::seconds(10));
  CHECK(mqtt.drain_rate == 0);
  CHECK(mqtt.inflight == 8);
  CHECK(mqtt.key_id == "hq");
  CHECK(mqtt.role == "admin");
  CHECK(mqtt.discovery == "homeassistant");
}

TEST_CASE("upstream: mistakes name their path", "[config]") {
  using Catch::Matchers::Contains;
  CHECK_THAT(errors_of(with_upstream(R"({ "mqtt": { } })")).at(0),
             Contains("upstream.mqtt.url") && Contains("required"));
  CHECK_THAT(errors_of(with_upstream(R"({ "mqtt": { "url": "http://x" } })")).at(0),
             Contains("upstream.mqtt.url: expected mqtt://host[:port]"));
  CHECK_THAT(errors_of(with_upstream(R"({ "mqtt": { "url": "mqtt://u:p@x" } })")).at(0),
             Contains("use username and password"));
  CHECK_THAT(errors_of(with_upstream(R"({ "mqtt": { "url": "mqtt://x:70000" } })")).at(0),
             Contains("port must be 1-65535"));
  CHECK_THAT(
      errors_of(with_upstream(R"({ "mqtt": { "url": "mqtt://x", "ca_file": "/nope" } })")).at(0),
      Contains("upstream.mqtt.ca_file: no such file"));
  CHECK_THAT(
      errors_of(with_upstream(R"({ "mqtt": { "url": "mqtt://x", "topic_prefix": "a/#" } })")).at(0),
      Contains("upstream.mqtt.topic_prefix"));
  CHECK_THAT(errors_of(with_upstream(R"({ "mqtt": { "url": "mqtt://x", "pasword": "x" } })")).at(0),
             Contains("upstream.mqtt.pasword"));
  CHECK_THAT(
      errors_of(with_upstream(R"({ "mqtt": { "url": "mqtt://x", "password": "x" } })")).at(0),
      Contains("needs a username"));
  CHECK_THAT(errors_of(with_upstream(R"({ "outbox": { "max_bytes": "1KiB" } })")).at(0),
             Contains("upstream.outbox.max_bytes"));
  CHECK_THAT(errors_of(with_upstream(R"({ "outbox": { "sync": "off" } })")).at(0),
             Contains("upstream.outbox.sync"));
}

TEST_CASE("upstream: url forms", "[config]") {
  MqttConfig m;
  CHECK(parse_mqtt_url("mqtts://broker.example", m).empty());
  CHECK((m.host == "broker.example" && m.port == 8883 && m.tls));
  CHECK(parse_mqtt_url("mqtt://10.0.0.9:1884/", m).empty());
  CHECK((m.host == "10.0.0.9" && m.port == 1884 && !m.tls));
  CHECK(parse_mqtt_url("mqtt://[::1]", m).empty());
  CHECK((m.host == "::1" && m.port == 1883));
  CHECK_FALSE(parse_mqtt_url("mqtt://", m).empty());
  CHECK_FALSE(parse_mqtt_url("mqtt://x/path", m).empty());
  CHECK_FALSE(parse_mqtt_url("mqtt://[::1", m).empty());
  CHECK_FALSE(parse_mqtt_url("mqtt://x:0", m).empty());
}

}  // namespace roomd
