#include "uplink/mqtt/mqtt_failure_text.hpp"

namespace roomd {

namespace {

constexpr std::string_view kCredentials =
    "bad username or password; check upstream.mqtt.username and upstream.mqtt.password";
constexpr std::string_view kNotAuthorised =
    "not authorised; check upstream.mqtt.username and upstream.mqtt.password (mosquitto answers "
    "this to a wrong password too) and the broker's access rules for this box";
constexpr std::string_view kClientId =
    "client identifier rejected; check upstream.mqtt.client_id (unique per box, accepted by the "
    "broker)";
constexpr std::string_view kProtocol =
    "the broker does not speak this MQTT version; try the other protocol (3.1.1 or 5)";
constexpr std::string_view kUnavailable = "the broker is unavailable; it will be retried";

std::string mqtt311_refusal(int code) {
  switch (code) {
    case 1:
      return std::string(kProtocol);
    case 2:
      return std::string(kClientId);
    case 3:
      return std::string(kUnavailable);
    case 4:
      return std::string(kCredentials);
    case 5:
      return std::string(kNotAuthorised);
    default:
      return "refused with CONNACK code " + std::to_string(code);
  }
}

std::string mqtt5_refusal(int code) {
  switch (code) {
    case 0x84:
      return std::string(kProtocol);
    case 0x85:
      return std::string(kClientId);
    case 0x86:
      return std::string(kCredentials);
    case 0x87:
      return std::string(kNotAuthorised);
    case 0x88:
    case 0x89:
      return std::string(kUnavailable);
    case 0x8A:
      return "this client is banned by the broker; ask the broker's administrator";
    case 0x8C:
      return "bad authentication method; check the broker's authentication settings";
    case 0x95:
      return "the CONNECT packet is too large for the broker (a long will payload?)";
    case 0x97:
      return "the broker's quota is exceeded; it will be retried";
    case 0x9C:
    case 0x9D:
      return "the broker moved; update upstream.mqtt.url";
    case 0x9F:
      return "the broker's connection rate limit was exceeded; it will be retried";
    default:
      return "refused with MQTT 5 reason code " + std::to_string(code);
  }
}

}  // namespace

std::string connack_refusal_text(int protocol, int code) {
  return protocol == 5 ? mqtt5_refusal(code) : mqtt311_refusal(code);
}

std::string openssl_reason(std::string_view log_line) {
  if (!log_line.starts_with("OpenSSL Error")) return {};
  // "error:<hex code>:<library>:<function>:<reason>"; the function is empty in OpenSSL 3.
  const auto colon = log_line.rfind(':');
  auto reason = colon == std::string_view::npos ? log_line : log_line.substr(colon + 1);
  while (reason.starts_with(' ')) reason.remove_prefix(1);
  return std::string(reason);
}

std::string tls_failure_hint(std::string_view reason) {
  if (reason.find("certificate verify failed") != std::string_view::npos)
    return "check upstream.mqtt.ca_file (the CA that signed the broker's certificate) and that "
           "the certificate names the host in upstream.mqtt.url";
  if (reason.find("alert") != std::string_view::npos)
    return "the broker rejected this client's certificate; check upstream.mqtt.cert_file and "
           "upstream.mqtt.key_file";
  if (reason.find("key values mismatch") != std::string_view::npos ||
      reason.find("private key") != std::string_view::npos)
    return "upstream.mqtt.key_file does not belong to upstream.mqtt.cert_file";
  if (reason.find("wrong version number") != std::string_view::npos)
    return "the port does not speak TLS; check mqtts:// against mqtt:// in upstream.mqtt.url";
  return "check upstream.mqtt.ca_file, cert_file and key_file";
}

}  // namespace roomd
