#include "uplink/socketio/socketio_packet.hpp"

#include <cctype>

namespace roomd::socketio {

namespace {

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// Enough digits for any id a client counts to; more is not a number we keep.
constexpr std::size_t kMaxDigits = 18;

}  // namespace

std::string encode(const Packet& packet) {
  std::string text(1, static_cast<char>(packet.type));
  if (packet.nsp != "/") {
    text += packet.nsp;
    text.push_back(',');
  }
  if (packet.ack_id) text += std::to_string(*packet.ack_id);
  text += packet.data;
  return text;
}

std::optional<Packet> decode(std::string_view text, std::string& error) {
  if (text.empty() || text[0] < '0' || text[0] > '6') {
    error = text.empty() ? "empty Socket.IO packet" : "unknown Socket.IO packet type";
    return std::nullopt;
  }
  Packet packet;
  packet.type = static_cast<PacketType>(text[0]);
  std::size_t at = 1;
  if (packet.type == PacketType::binary_event || packet.type == PacketType::binary_ack) {
    // "<n>-": the count of binary attachments that follow in their own frames.
    const auto dash = text.find('-', at);
    if (dash == std::string_view::npos || dash == at || dash - at > kMaxDigits) {
      error = "binary packet without its attachment count";
      return std::nullopt;
    }
    for (auto i = at; i < dash; ++i)
      if (!is_digit(text[i])) {
        error = "binary packet with a bad attachment count";
        return std::nullopt;
      }
    at = dash + 1;
  }
  if (at < text.size() && text[at] == '/') {
    const auto comma = text.find(',', at);
    packet.nsp = std::string(text.substr(at, comma == std::string_view::npos ? comma : comma - at));
    at = comma == std::string_view::npos ? text.size() : comma + 1;
  }
  const auto digits_start = at;
  while (at < text.size() && is_digit(text[at])) ++at;
  if (at > digits_start) {
    if (at - digits_start > kMaxDigits) {
      error = "ack id too long";
      return std::nullopt;
    }
    packet.ack_id = std::stoull(std::string(text.substr(digits_start, at - digits_start)));
  }
  // Socket.IO's payloads are JSON arrays (events, acks) or objects (connects): anything else is
  // no packet, and a payload starting with '/' would read as a namespace when encoded again.
  if (at < text.size() && text[at] != '[' && text[at] != '{') {
    error = "the payload is neither a JSON array nor an object";
    return std::nullopt;
  }
  packet.data = std::string(text.substr(at));
  return packet;
}

}  // namespace roomd::socketio
