#include "tests/support/mqtt_test_subscriber.hpp"

#include "tests/support/wait.hpp"

#include <memory>
#include <optional>

namespace roomd::test {

MqttOptions test_mqtt_options(const MosquittoBroker& broker, bool tls, int protocol) {
  MqttOptions options;
  options.host = "127.0.0.1";
  options.port = tls ? broker.tls_port() : broker.port();
  options.tls = tls;
  if (tls) {
    const auto& certificates = TestCertificates::get();
    options.ca_file = certificates.ca_file;
    options.cert_file = certificates.client_cert;
    options.key_file = certificates.client_key;
  }
  options.protocol = protocol;
  options.backoff_min = std::chrono::milliseconds(50);
  options.backoff_max = std::chrono::milliseconds(400);
  return options;
}

std::optional<bool> publish_and_wait(boost::asio::io_context& io, MqttClient& client,
                                     const std::string& topic, const std::string& payload, int qos,
                                     bool retain) {
  auto answer = std::make_shared<std::optional<bool>>();
  client.publish(topic, payload, qos, retain, [answer](bool ok) { *answer = ok; });
  run_until(io, [answer] { return answer->has_value(); });
  return *answer;
}

MqttTestSubscriber::MqttTestSubscriber(boost::asio::io_context& io, MqttOptions options)
    : io_(io), client_(io.get_executor(), std::move(options)) {
  client_.on_message([this](MqttMessage message) { messages_.push_back(std::move(message)); });
  client_.start();
}

bool MqttTestSubscriber::subscribe(const std::string& filter, int qos) {
  // Shared: the SUBACK may come after a timeout, when this frame is gone.
  auto granted = std::make_shared<std::optional<bool>>();
  client_.subscribe(filter, qos, [granted](bool ok) { *granted = ok; });
  return run_until(io_, [granted] { return granted->has_value(); }) && **granted;
}

bool MqttTestSubscriber::wait_for(std::size_t count, std::chrono::milliseconds timeout) {
  return run_until(
      io_, [this, count] { return messages_.size() >= count; }, timeout);
}

}  // namespace roomd::test
