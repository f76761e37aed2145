// What the MQTT client needs to reach the upstream broker (design.md, `upstream.mqtt`): where,
// how to authenticate, the last will and the reconnect pacing. Plain data, so the config loader
// fills it without seeing libmosquitto.
#pragma once

#include "config/config.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace roomd {

struct MqttOptions {
  // Published by the broker when the connection ends without a DISCONNECT (the box died).
  struct Will {
    std::string topic;
    std::string payload;
    int qos = 1;
    bool retain = true;
  };

  std::string host;
  int port = 1883;
  bool tls = false;
  // TLS: the CA that signed the broker's certificate (empty: the system's CAs), and an
  // optional client certificate with its key.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string username;  // empty: no username and no password are sent
  std::string password;
  std::string client_id;  // empty: the broker assigns one
  // false: the broker keeps the client's subscriptions and queued QoS 1 messages while it is
  // away (needs a client_id); a consumer that must not miss a record sets it.
  bool clean_session = true;
  std::chrono::seconds keepalive{30};
  int protocol = 5;  // 311 (MQTT 3.1.1) or 5
  std::optional<Will> will;
  std::chrono::milliseconds backoff_min{1000};
  std::chrono::milliseconds backoff_max{300000};
  // libmosquitto's own log lines, passed to the log sink at debug (one line per packet).
  bool library_log = false;
};

// The client's options for `config` (upstream.mqtt, already validated by the config loader,
// which parsed its url), with `will` as the last will.
MqttOptions mqtt_options(const MqttConfig& config, std::optional<MqttOptions::Will> will);

// "host:port" for messages ("[::1]:1883" for IPv6).
std::string mqtt_endpoint(const MqttOptions& options);

}  // namespace roomd
