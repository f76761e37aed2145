#include "uplink/socketio/engineio_packet.hpp"

#include <array>
#include <cstdint>

namespace roomd::engineio {

namespace {

bool known_type(char c) {
  return c >= '0' && c <= '6';
}

// RFC 4648 base64 with padding, as Engine.IO encodes binary in a polling payload.
std::optional<std::string> base64_decode(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      if (i + 2 < text.size()) return std::nullopt;  // padding only at the end
      ++padding;
      bits <<= 6;
    } else {
      const auto at = kAlphabet.find(c);
      if (at == std::string_view::npos || padding > 0) return std::nullopt;
      bits = (bits << 6) | static_cast<std::uint32_t>(at);
    }
    if (++count == 4) {
      out.push_back(static_cast<char>((bits >> 16) & 0xff));
      out.push_back(static_cast<char>((bits >> 8) & 0xff));
      out.push_back(static_cast<char>(bits & 0xff));
      bits = 0;
      count = 0;
    }
  }
  out.resize(out.size() - padding);
  return out;
}

}  // namespace

std::string encode(PacketType type, std::string_view data) {
  std::string text;
  text.reserve(1 + data.size());
  text.push_back(static_cast<char>(type));
  text.append(data);
  return text;
}

std::string encode_payload(const std::vector<std::string>& encoded) {
  std::string body;
  for (const auto& packet : encoded) {
    if (!body.empty()) body.push_back(kRecordSeparator);
    body += packet;
  }
  return body;
}

std::optional<Packet> decode(std::string_view text) {
  if (text.empty() || !known_type(text[0])) return std::nullopt;
  return Packet{static_cast<PacketType>(text[0]), std::string(text.substr(1)), false};
}

std::optional<std::vector<Packet>> decode_payload(std::string_view body, std::string& error) {
  std::vector<Packet> packets;
  if (body.empty()) {
    error = "empty payload";
    return std::nullopt;
  }
  std::size_t start = 0;
  for (;;) {
    const auto end = body.find(kRecordSeparator, start);
    const auto piece = body.substr(start, end == std::string_view::npos ? end : end - start);
    const auto number = std::to_string(packets.size() + 1);
    if (!piece.empty() && piece[0] == 'b') {
      auto bytes = base64_decode(piece.substr(1));
      if (!bytes) {
        error = "packet " + number + ": bad base64 in a binary packet";
        return std::nullopt;
      }
      packets.push_back({PacketType::message, std::move(*bytes), true});
    } else if (auto packet = decode(piece)) {
      packets.push_back(std::move(*packet));
    } else {
      error = "packet " + number + (piece.empty() ? " is empty" : ": unknown packet type");
      return std::nullopt;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return packets;
}

}  // namespace roomd::engineio
