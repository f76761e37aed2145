// Engine.IO v4's packets and payloads (the transport layer under Socket.IO): one packet per
// WebSocket message, or several in one long-polling HTTP body separated by the record
// separator (0x1e). Pure functions, so the bytes are tested apart from any socket.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd::engineio {

enum class PacketType : char {
  open = '0',
  close = '1',
  ping = '2',
  pong = '3',
  message = '4',
  upgrade = '5',
  noop = '6',
};

struct Packet {
  PacketType type = PacketType::message;
  std::string data;     // after the type character (a binary message: the decoded bytes)
  bool binary = false;  // a binary message ('b' + base64 in a polling payload)

  bool operator==(const Packet&) const = default;
};

constexpr char kRecordSeparator = '\x1e';

// One text packet: the type character, then the data.
std::string encode(PacketType type, std::string_view data = {});
// Packets for one polling answer, separated by the record separator.
std::string encode_payload(const std::vector<std::string>& encoded);

// One text packet as a WebSocket message carries it; nullopt when empty or of no known type.
std::optional<Packet> decode(std::string_view text);
// A polling POST body. Fails (nullopt, with `error` set) on an empty body, an empty or unknown
// packet, or bad base64: the whole body is refused, as the protocol closes the session.
std::optional<std::vector<Packet>> decode_payload(std::string_view body, std::string& error);

}  // namespace roomd::engineio
