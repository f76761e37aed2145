// Socket.IO v5's packets, carried in Engine.IO message packets: the type digit, then (binary
// packets) the attachment count, a namespace other than "/", an ack id and the JSON data.
// Pure functions, so the bytes are tested apart from any socket.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace roomd::socketio {

enum class PacketType : char {
  connect = '0',
  disconnect = '1',
  event = '2',
  ack = '3',
  connect_error = '4',
  binary_event = '5',
  binary_ack = '6',
};

struct Packet {
  PacketType type = PacketType::event;
  std::string nsp = "/";
  std::optional<unsigned long long> ack_id;
  // JSON text as sent (an array or an object, not checked further), or empty (a connect
  // without auth, a disconnect).
  std::string data;

  bool operator==(const Packet&) const = default;
};

std::string encode(const Packet& packet);
// nullopt with `error` set when the text is not a Socket.IO packet.
std::optional<Packet> decode(std::string_view text, std::string& error);

}  // namespace roomd::socketio
