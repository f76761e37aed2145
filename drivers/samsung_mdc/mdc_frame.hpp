// Samsung MDC (Multiple Display Control) framing shared by the driver and its simulator:
// `AA cmd id len data... checksum` commands, `AA FF id len A|N rcmd data... checksum`
// replies, the checksum, and the input source codes with their lowercase names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace roomd::samsung_mdc {

constexpr std::uint8_t kHeader = 0xAA;
constexpr std::uint8_t kReplyCommand = 0xFF;
constexpr std::uint8_t kAck = 'A';
constexpr std::uint8_t kNak = 'N';
constexpr std::uint8_t kBroadcastId = 0xFE;  // displays do not answer it

constexpr std::uint8_t kCmdStatus = 0x00;  // get only: power, volume, mute, input, aspect, ...
constexpr std::uint8_t kCmdPower = 0x11;
constexpr std::uint8_t kCmdVolume = 0x12;
constexpr std::uint8_t kCmdMute = 0x13;
constexpr std::uint8_t kCmdInput = 0x14;

// Sum of the bytes after the 0xAA header, mod 256.
std::uint8_t checksum(std::string_view bytes_after_header);

// A get is the command with no data; a set carries the value.
std::string make_frame(std::uint8_t command, std::uint8_t id, std::string_view data = {});
std::string make_reply(std::uint8_t id, bool ack, std::uint8_t rcmd, std::string_view data);

struct Frame {
  std::uint8_t command = 0;
  std::uint8_t id = 0;
  std::string data;
};

// One whole frame (header, length and checksum checked); nullopt with the reason in `why`.
std::optional<Frame> parse_frame(std::string_view bytes, std::string* why = nullptr);

struct Reply {
  std::uint8_t id = 0;
  bool ack = false;
  std::uint8_t rcmd = 0;
  std::string data;  // the values after rcmd; for a NAK, the error byte
};

// A frame that is an ACK or NAK reply; nullopt with the reason in `why`.
std::optional<Reply> parse_reply(const Frame& frame, std::string* why = nullptr);

// Bytes of a whole frame at the start of `buffered` once its header is in (0xAA first),
// else 0.
std::size_t frame_size(std::string_view buffered);

// "AA 11 01 01 01 14": how MDC manuals print frames, for logs and tests.
std::string to_hex(std::string_view bytes);
std::string hex_byte(std::uint8_t byte);  // "0x11"

// Lowercase input names ("hdmi1", "displayport") <-> the display's source codes.
std::optional<std::uint8_t> input_code(std::string_view name);
// Unknown codes come back as "0x1f" so a status never hides what the display reported.
std::string input_name(std::uint8_t code);
std::string input_names();  // "pc, dvi, ..." for error messages

// "power", "volume", ... or the hex code: names the command in errors.
std::string command_name(std::uint8_t command);

}  // namespace roomd::samsung_mdc
