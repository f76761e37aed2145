// The header of a server-to-client WebSocket text frame (RFC 6455 section 5.2): one whole,
// unmasked message. The session frames its own messages so a burst of them is copied into
// one batch instead of going through a Beast write operation each.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace roomd {

struct TextFrameHeader {
  std::array<unsigned char, 10> bytes{};
  std::size_t size = 0;
};

inline TextFrameHeader text_frame_header(std::uint64_t payload) {
  TextFrameHeader header;
  header.bytes[0] = 0x81;  // FIN, text
  if (payload < 126) {
    header.bytes[1] = static_cast<unsigned char>(payload);
    header.size = 2;
  } else if (payload <= 0xFFFF) {
    header.bytes[1] = 126;
    header.bytes[2] = static_cast<unsigned char>(payload >> 8);
    header.bytes[3] = static_cast<unsigned char>(payload);
    header.size = 4;
  } else {
    header.bytes[1] = 127;
    for (int i = 0; i < 8; ++i)
      header.bytes[2 + i] = static_cast<unsigned char>(payload >> (56 - 8 * i));
    header.size = 10;
  }
  return header;
}

}  // namespace roomd
