// Fuzz target: the Engine.IO payload and packet decoders and the Socket.IO packet decoder,
// which read every polling body and WebSocket message a Socket.IO client sends to /socket.io/.
#include "uplink/socketio/socketio_packet.hpp"
#include "uplink/socketio/engineio_packet.hpp"

#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "socketio packet fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace roomd;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::string error;
  if (auto packets = engineio::decode_payload(text, error)) {
    if (packets->empty()) finding("a payload of no packets");
    bool binary = false;
    std::vector<std::string> encoded;
    for (const auto& packet : *packets) {
      binary = binary || packet.binary;
      encoded.push_back(engineio::encode(packet.type, packet.data));
    }
    // What was accepted encodes back to the same bytes (base64 aside).
    if (!binary && engineio::encode_payload(encoded) != text)
      finding("a payload that re-encodes differently");
  } else if (error.empty()) {
    finding("a refused payload without a reason");
  }

  if (auto packet = engineio::decode(text))
    if (engineio::encode(packet->type, packet->data) != text)
      finding("a packet that re-encodes differently");

  error.clear();
  if (auto packet = socketio::decode(text, error)) {
    if (packet->nsp.empty() || packet->nsp[0] != '/') finding("a namespace not starting with /");
    const bool binary = packet->type == socketio::PacketType::binary_event ||
                        packet->type == socketio::PacketType::binary_ack;
    if (!binary) {
      std::string again_error;
      auto again = socketio::decode(socketio::encode(*packet), again_error);
      if (!again || !(*again == *packet))
        finding("a Socket.IO packet that does not survive encoding");
    }
  } else if (error.empty()) {
    finding("a refused Socket.IO packet without a reason");
  }
  return 0;
}
