#include "uplink/mqtt/mqtt_options.hpp"

#include <charconv>

namespace roomd {

namespace {

constexpr std::string_view kPlain = "mqtt://";
constexpr std::string_view kSecure = "mqtts://";
constexpr int kPlainPort = 1883;
constexpr int kSecurePort = 8883;

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

}  // namespace

std::string set_mqtt_url(MqttOptions& options, std::string_view url) {
  if (url.find('@') != std::string_view::npos)
    return "credentials do not belong in the URL: set upstream.mqtt.username and "
           "upstream.mqtt.password";
  bool tls = false;
  std::string_view rest;
  if (url.starts_with(kPlain)) {
    rest = url.substr(kPlain.size());
  } else if (url.starts_with(kSecure)) {
    tls = true;
    rest = url.substr(kSecure.size());
  } else {
    return "expected mqtt://host[:port] or mqtts://host[:port], got " + quoted(url);
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos)
    return "expected no path after the host and port, got " + quoted(url);

  std::string_view host = rest;
  std::string_view port_text;
  bool has_port = false;
  if (rest.starts_with('[')) {  // [v6 address]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return "unclosed '[' in " + quoted(url);
    host = rest.substr(1, close - 1);
    const auto after = rest.substr(close + 1);
    if (!after.empty() && !after.starts_with(':'))
      return "expected ':port' after the IPv6 address in " + quoted(url);
    has_port = !after.empty();
    if (has_port) port_text = after.substr(1);
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
    has_port = true;
    if (host.find(':') != std::string_view::npos)
      return "write an IPv6 address in brackets (mqtt://[::1]:1883), got " + quoted(url);
  }
  if (host.empty()) return "missing the broker's host in " + quoted(url);

  int port = tls ? kSecurePort : kPlainPort;
  if (has_port) {
    const auto* end = port_text.data() + port_text.size();
    auto [last, ec] = std::from_chars(port_text.data(), end, port);
    if (port_text.empty() || ec != std::errc() || last != end || port < 1 || port > 65535)
      return "port must be 1-65535, got " + quoted(port_text) + " in " + quoted(url);
  }
  options.host = std::string(host);
  options.port = port;
  options.tls = tls;
  return {};
}

std::string mqtt_endpoint(const MqttOptions& options) {
  const bool v6 = options.host.find(':') != std::string::npos;
  return (v6 ? "[" + options.host + "]" : options.host) + ":" + std::to_string(options.port);
}

}  // namespace roomd
