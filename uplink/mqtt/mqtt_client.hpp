// The connection to the upstream MQTT broker: libmosquitto on a thread of its own (DNS, TCP,
// the TLS handshake and reconnects with jittered backoff never block the event loop), with
// every callback delivered on the caller's executor. What to publish is the uplink's business.
#pragma once

#include "base/asio.hpp"
#include "base/log_level.hpp"
#include "uplink/mqtt/mqtt_options.hpp"

#include <functional>
#include <memory>
#include <string>

namespace roomd {

struct MqttMessage {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
};

class MqttClient {
 public:
  using LogSink = std::function<void(LogLevel, std::string)>;
  // Answers a publish or a subscribe: true once the broker acknowledged it.
  using Done = std::function<void(bool ok)>;

  // Callbacks and log lines arrive on a strand of `executor`, in the order they happened.
  // Log lines never hold the password or key material.
  MqttClient(Executor executor, MqttOptions options, LogSink log = {});
  ~MqttClient();  // stop()
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Set these before start().
  void on_connected(std::function<void()> handler);
  // Once per established connection that ended; `reason` says why.
  void on_disconnected(std::function<void(std::string reason)> handler);
  void on_message(std::function<void(MqttMessage)> handler);

  // Connects, and reconnects after every failure or loss until stop().
  void start();
  // Disconnects cleanly (so the broker discards the last will), joins the client's thread.
  // Idempotent; no callback runs after it returns when called on the executor.
  void stop();
  // The broker accepted the connection and it has not been seen to end.
  bool connected() const;

  // `done(true)`: QoS 0 written to the socket, QoS 1 and 2 acknowledged by the broker.
  // `done(false)`: not connected, refused, or the connection ended before the
  // acknowledgement; the caller resends (libmosquitto keeps nothing across connections).
  void publish(std::string topic, std::string payload, int qos, bool retain, Done done = {});
  // Kept, and subscribed again after every reconnect; `done` answers the first SUBACK
  // (false: the broker refused the topic filter).
  void subscribe(std::string topic, int qos, Done done = {});

 private:
  class Core;
  std::shared_ptr<Core> core_;
};

}  // namespace roomd
