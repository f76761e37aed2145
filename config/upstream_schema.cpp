#include "config/upstream_schema.hpp"

#include <array>
#include <charconv>

namespace roomd {

namespace {

using namespace validation;

constexpr std::array<std::string_view, 3> kRoles = {"viewer", "operator", "admin"};
constexpr std::array<std::string_view, 2> kProtocols = {"3.1.1", "5"};
constexpr std::array<std::string_view, 1> kDiscovery = {"homeassistant"};
constexpr std::array<std::string_view, 2> kSync = {"full", "normal"};
constexpr std::uint64_t kMinOutboxBytes = 64 * 1024;
constexpr std::uint64_t kMaxOutboxBytes = 1ull << 40;

// Topic levels must not carry MQTT's wildcards or separators of their own.
void topic_prefix(ObjectReader& r, std::string& out) {
  if (!r.string("topic_prefix", out)) return;
  if (out.find_first_of("+#") != std::string::npos || out.front() == '/' || out.back() == '/')
    r.at("topic_prefix")
        .error("must not contain + or # nor start or end with /, got " + json_quote(out));
}

MqttConfig parse_mqtt(ObjectReader r, const std::string& box_id) {
  MqttConfig mqtt;
  if (r.string("url", mqtt.url, kRequired)) {
    auto problem = parse_mqtt_url(mqtt.url, mqtt);
    if (!problem.empty()) r.at("url").error(problem);
  }
  std::string protocol = "3.1.1";
  if (r.choice("protocol", protocol, kProtocols, kOptional))
    mqtt.protocol = protocol == "5" ? 5 : 311;
  mqtt.client_id = box_id;
  r.string("client_id", mqtt.client_id);
  r.string("username", mqtt.username);
  r.string("password", mqtt.password);
  if (!mqtt.password.empty() && mqtt.username.empty())
    r.at("password").error("a password needs a username");
  r.read("ca_file", mqtt.ca_file, kOptional, as_existing_file);
  r.read("cert_file", mqtt.cert_file, kOptional, as_existing_file);
  r.read("key_file", mqtt.key_file, kOptional, as_existing_file);
  if (mqtt.cert_file.empty() != mqtt.key_file.empty())
    r.error("cert_file and key_file go together (the client certificate and its key)");
  if ((!mqtt.ca_file.empty() || !mqtt.cert_file.empty()) && !mqtt.tls)
    r.at("url").error("TLS files are given but the url is mqtt://; use mqtts://");
  topic_prefix(r, mqtt.topic_prefix);
  r.read("keepalive", mqtt.keepalive, kOptional, as_positive_duration);
  r.read("backoff_min", mqtt.backoff_min, kOptional, as_positive_duration);
  r.read("backoff_max", mqtt.backoff_max, kOptional, as_positive_duration);
  if (mqtt.backoff_max < mqtt.backoff_min)
    r.at("backoff_max").error("must not be shorter than backoff_min");
  r.read("drain_rate", mqtt.drain_rate, kOptional,
         [](const Json& value, const Validator& v) { return as_int_in(value, v, 0, 1000000); });
  r.read("inflight", mqtt.inflight, kOptional,
         [](const Json& value, const Validator& v) { return as_int_in(value, v, 1, 65535); });
  r.string("key_id", mqtt.key_id);
  r.choice("role", mqtt.role, kRoles, kOptional);
  r.choice("discovery", mqtt.discovery, kDiscovery, kOptional);
  r.reject_unknown_keys();
  return mqtt;
}

OutboxConfig parse_outbox(ObjectReader r) {
  OutboxConfig outbox;
  r.read("max_bytes", outbox.max_bytes, kOptional, [](const Json& value, const Validator& v) {
    return as_size_in(value, v, kMinOutboxBytes, kMaxOutboxBytes);
  });
  r.read("max_age", outbox.max_age, kOptional, as_positive_duration);
  std::string sync = "full";
  if (r.choice("sync", sync, kSync, kOptional)) outbox.sync_full = sync == "full";
  r.reject_unknown_keys();
  return outbox;
}

}  // namespace

std::string parse_mqtt_url(std::string_view url, MqttConfig& out) {
  std::string_view rest;
  if (url.substr(0, 7) == "mqtt://") {
    out.tls = false;
    rest = url.substr(7);
  } else if (url.substr(0, 8) == "mqtts://") {
    out.tls = true;
    rest = url.substr(8);
  } else {
    return "expected mqtt://host[:port] or mqtts://host[:port]";
  }
  if (rest.find('@') != std::string_view::npos)
    return "credentials do not belong in the url; use username and password";
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return "expected no path after host[:port]";
  std::string_view host = rest;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return "unclosed [ in the IPv6 address";
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return "expected :port after the IPv6 address";
      port = rest.substr(close + 2);
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return "expected a host name or address";
  out.host = std::string(host);
  out.port = out.tls ? 8883 : 1883;
  if (port.empty()) return {};
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535)
    return "port must be 1-65535, got " + json_quote(port);
  out.port = static_cast<std::uint16_t>(value);
  return {};
}

UpstreamConfig parse_upstream(ObjectReader r, const std::string& box_id) {
  UpstreamConfig upstream;
  if (r.has("mqtt")) upstream.mqtt = parse_mqtt(r.child("mqtt"), box_id);
  upstream.outbox_enabled = upstream.mqtt.has_value() || r.has("outbox");
  upstream.outbox = parse_outbox(r.child("outbox"));
  r.reject_unknown_keys();
  return upstream;
}

}  // namespace roomd
