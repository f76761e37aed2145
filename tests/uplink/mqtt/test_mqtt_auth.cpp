#include "uplink/mqtt/mqtt_client.hpp"

#include "tests/support/mqtt_test_subscriber.hpp"
#include "tests/support/wait.hpp"
#include "tests/uplink/mqtt/log_capture.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;

namespace {

constexpr const char* kUser = "room-101";
constexpr const char* kPassword = "Pa55-w0rd-7QX";

BrokerOptions with_password() {
  return BrokerOptions{.allow_anonymous = false, .users = {{kUser, kPassword}}};
}

// Options with the user's name and `password`, and libmosquitto's own log lines.
MqttOptions with_user(const MosquittoBroker& broker, int protocol, const std::string& password) {
  auto options = test_mqtt_options(broker, false, protocol);
  options.username = kUser;
  options.password = password;
  options.library_log = true;
  return options;
}

// Every line the client logged, libmosquitto's own included, holds no secret.
void check_no_secret(const LogCapture& logs, const std::string& secret) {
  for (const auto& [level, line] : logs.lines) {
    INFO(line);
    CHECK(line.find(secret) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("username and password are accepted, and never logged") {
  const int protocol = GENERATE(5, 311);
  MosquittoBroker broker(with_password());
  boost::asio::io_context io;
  LogCapture logs;
  auto options = with_user(broker, protocol, kPassword);
  // libmosquitto logs the client id with every packet: one that holds the password shows that
  // its lines are filtered.
  options.client_id = std::string("box-") + kPassword;
  MqttClient client(io.get_executor(), options, logs.sink());
  client.start();
  REQUIRE(run_until(io, [&] { return client.connected(); }));
  CHECK(publish_and_wait(io, client, "roomd/room-101/events", "x") == true);
  client.stop();
  CHECK_FALSE(logs.find(LogLevel::debug, "libmosquitto: Client box-*** sending CONNECT").empty());
  CHECK_FALSE(logs.find(LogLevel::info, "connected to MQTT broker 127.0.0.1:").empty());
  check_no_secret(logs, kPassword);
}

TEST_CASE("a wrong password is refused in words, without the password") {
  const int protocol = GENERATE(5, 311);
  MosquittoBroker broker(with_password());
  boost::asio::io_context io;
  LogCapture logs;
  MqttClient client(io.get_executor(), with_user(broker, protocol, "Wr0ng-pa55-9ZK"), logs.sink());
  client.start();
  REQUIRE(run_until(io, [&] { return !logs.at_least(LogLevel::warn).empty(); }));
  // mosquitto answers a wrong password with "not authorised", to MQTT 3.1.1 and 5 alike.
  CHECK(logs.at_least(LogLevel::warn) ==
        std::vector<std::string>{
            "MQTT broker 127.0.0.1:" + std::to_string(broker.port()) +
            " refused the connection: not authorised; check upstream.mqtt.username and "
            "upstream.mqtt.password (mosquitto answers this to a wrong password too) and the "
            "broker's access rules for this box; retrying with backoff"});
  CHECK_FALSE(client.connected());
  client.stop();
  check_no_secret(logs, "Wr0ng-pa55-9ZK");
}

TEST_CASE("TLS with the test CA and a client certificate works") {
  MosquittoBroker broker(BrokerOptions{.tls = true, .require_client_cert = true});
  boost::asio::io_context io;
  MqttTestSubscriber subscriber(io, test_mqtt_options(broker));
  REQUIRE(subscriber.subscribe("roomd/room-101/online"));
  LogCapture logs;
  MqttClient client(io.get_executor(), test_mqtt_options(broker, true), logs.sink());
  client.start();
  REQUIRE(run_until(io, [&] { return !logs.find(LogLevel::info, "connected").empty(); }));
  CHECK(logs.find(LogLevel::info, "connected") ==
        "connected to MQTT broker 127.0.0.1:" + std::to_string(broker.tls_port()) +
            " (MQTT 5, TLS)");
  REQUIRE(publish_and_wait(io, client, "roomd/room-101/online", R"({"online": true})", 1, true) ==
          true);
  REQUIRE(subscriber.wait_for(1));
  CHECK(subscriber.messages()[0].payload == R"({"online": true})");
}

TEST_CASE("a wrong CA fails with one clear TLS error") {
  MosquittoBroker broker(BrokerOptions{.tls = true});
  boost::asio::io_context io;
  LogCapture logs;
  auto options = test_mqtt_options(broker, true);
  options.ca_file = TestCertificates::get().other_ca_file;
  MqttClient client(io.get_executor(), options, logs.sink());
  client.start();
  // Several attempts fail; the warning is said once.
  REQUIRE(run_until(io, [&] { return !logs.find(LogLevel::debug, ": attempt 3 failed").empty(); }));
  const auto warnings = logs.at_least(LogLevel::warn);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "TLS handshake with 127.0.0.1:" + std::to_string(broker.tls_port()) +
                           " failed: certificate verify failed; check upstream.mqtt.ca_file (the "
                           "CA that signed the broker's certificate) and that the certificate "
                           "names the host in upstream.mqtt.url; retrying with backoff");
  CHECK_FALSE(client.connected());
}

TEST_CASE("a client certificate the broker requires but does not get is a clear TLS error") {
  MosquittoBroker broker(BrokerOptions{.tls = true, .require_client_cert = true});
  boost::asio::io_context io;
  LogCapture logs;
  auto options = test_mqtt_options(broker, true);
  options.cert_file.clear();
  options.key_file.clear();
  MqttClient client(io.get_executor(), options, logs.sink());
  client.start();
  REQUIRE(run_until(io, [&] { return !logs.at_least(LogLevel::warn).empty(); }));
  const auto warning = logs.at_least(LogLevel::warn)[0];
  INFO(warning);
  CHECK(warning.starts_with("TLS handshake with 127.0.0.1:" + std::to_string(broker.tls_port()) +
                            " failed: "));
  CHECK(warning.find("upstream.mqtt.cert_file") != std::string::npos);
}

TEST_CASE("an unreadable CA file is named in the error") {
  MosquittoBroker broker(BrokerOptions{.tls = true});
  boost::asio::io_context io;
  LogCapture logs;
  auto options = test_mqtt_options(broker, true);
  options.ca_file = "/nonexistent/ca.crt";
  MqttClient client(io.get_executor(), options, logs.sink());
  client.start();
  REQUIRE(run_until(io, [&] { return !logs.at_least(LogLevel::warn).empty(); }));
  CHECK(logs.at_least(LogLevel::warn)[0] ==
        "cannot read upstream.mqtt.ca_file \"/nonexistent/ca.crt\": No such file or directory; "
        "retrying with backoff");
}
