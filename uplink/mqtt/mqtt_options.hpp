// What the MQTT client needs to reach the upstream broker (design.md, `upstream.mqtt`): where,
// how to authenticate, the last will and the reconnect pacing. Plain data, so the config loader
// fills it without seeing libmosquitto.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

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
  std::chrono::seconds keepalive{30};
  int protocol = 5;  // 311 (MQTT 3.1.1) or 5
  std::optional<Will> will;
  std::chrono::milliseconds backoff_min{1000};
  std::chrono::milliseconds backoff_max{300000};
  // libmosquitto's own log lines, passed to the log sink at debug (one line per packet).
  bool library_log = false;
};

// Sets host, port and tls from "mqtt://host[:port]" or "mqtts://host[:port]" (default port
// 1883 or 8883; an IPv6 address in brackets). Returns what is wrong, empty when the URL is
// valid; the URL is not quoted back when it holds credentials.
std::string set_mqtt_url(MqttOptions& options, std::string_view url);

// "host:port" for messages ("[::1]:1883" for IPv6).
std::string mqtt_endpoint(const MqttOptions& options);

}  // namespace roomd
