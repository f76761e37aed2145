#include "uplink/mqtt/mqtt_failure_text.hpp"

#include <catch2/catch.hpp>

using roomd::connack_refusal_text;

TEST_CASE("CONNACK refusals of MQTT 3.1.1 and 5 say what to check") {
  const std::string credentials =
      "bad username or password; check upstream.mqtt.username and upstream.mqtt.password";
  CHECK(connack_refusal_text(311, 4) == credentials);
  CHECK(connack_refusal_text(5, 0x86) == credentials);
  CHECK(connack_refusal_text(311, 5).starts_with("not authorised"));
  CHECK(connack_refusal_text(5, 0x87).starts_with("not authorised"));
  CHECK(connack_refusal_text(311, 2).find("upstream.mqtt.client_id") != std::string::npos);
  CHECK(connack_refusal_text(5, 0x85).find("upstream.mqtt.client_id") != std::string::npos);
  CHECK(connack_refusal_text(5, 0x9D).find("upstream.mqtt.url") != std::string::npos);
  CHECK(connack_refusal_text(311, 42) == "refused with CONNACK code 42");
  CHECK(connack_refusal_text(5, 0xA2) == "refused with MQTT 5 reason code 162");
}

TEST_CASE("OpenSSL's reason is taken from libmosquitto's log line, with a hint") {
  CHECK(roomd::openssl_reason("OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify "
                              "failed") == "certificate verify failed");
  CHECK(roomd::openssl_reason("OpenSSL Error[0]: error:14090086:SSL routines:"
                              "ssl3_get_server_certificate:certificate verify failed") ==
        "certificate verify failed");
  CHECK(roomd::openssl_reason("Client x sending CONNECT").empty());
  CHECK(roomd::tls_failure_hint("certificate verify failed")
            .starts_with("check upstream.mqtt.ca_file"));
  CHECK(roomd::tls_failure_hint("tlsv13 alert certificate required")
            .find("upstream.mqtt.cert_file") != std::string::npos);
  CHECK(roomd::tls_failure_hint("wrong version number").find("mqtts://") != std::string::npos);
}
