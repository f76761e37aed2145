#include "uplink/mqtt/mqtt_options.hpp"

namespace roomd {

MqttOptions mqtt_options(const MqttConfig& config, std::optional<MqttOptions::Will> will) {
  MqttOptions options;
  options.host = config.host;
  options.port = config.port;
  options.tls = config.tls;
  options.ca_file = config.ca_file;
  options.cert_file = config.cert_file;
  options.key_file = config.key_file;
  options.username = config.username;
  options.password = config.password;
  options.client_id = config.client_id;
  options.keepalive = std::chrono::duration_cast<std::chrono::seconds>(config.keepalive);
  options.protocol = config.protocol == 5 ? 5 : 311;
  options.will = std::move(will);
  options.backoff_min = config.backoff_min;
  options.backoff_max = config.backoff_max;
  return options;
}

std::string mqtt_endpoint(const MqttOptions& options) {
  const bool v6 = options.host.find(':') != std::string::npos;
  return (v6 ? "[" + options.host + "]" : options.host) + ":" + std::to_string(options.port);
}

}  // namespace roomd
