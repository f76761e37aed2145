// roomd's `upstream` section: the MQTT broker (url, credentials, TLS files, topics, drain
// window and rate, how cmd requests are authorised, discovery) and the outbox's bounds. Part
// of the config schema; config_loader calls it.
#pragma once

#include "config/config.hpp"
#include "config/object_reader.hpp"

#include <string>

namespace roomd {

UpstreamConfig parse_upstream(validation::ObjectReader r, const std::string& box_id);

// "mqtt://host[:port]" or "mqtts://host[:port]" into host, port and tls; the problem in words
// otherwise (credentials belong in username/password, never in the URL).
std::string parse_mqtt_url(std::string_view url, MqttConfig& out);

}  // namespace roomd
