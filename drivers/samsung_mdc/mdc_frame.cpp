#include "drivers/samsung_mdc/mdc_frame.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <utility>

namespace roomd::samsung_mdc {
namespace {

constexpr std::size_t kHeaderSize = 4;  // AA cmd id len

constexpr std::array<std::pair<std::string_view, std::uint8_t>, 13> kInputs = {{
    {"pc", 0x14},
    {"dvi", 0x18},
    {"av", 0x0C},
    {"svideo", 0x04},
    {"component", 0x08},
    {"hdmi1", 0x21},
    {"hdmi1_pc", 0x22},
    {"hdmi2", 0x23},
    {"hdmi2_pc", 0x24},
    {"displayport", 0x25},
    {"hdmi3", 0x31},
    {"hdmi4", 0x33},
    {"magicinfo", 0x60},
}};

std::uint8_t byte_at(std::string_view bytes, std::size_t i) {
  return static_cast<std::uint8_t>(bytes[i]);
}

void fail(std::string* why, std::string text) {
  if (why) *why = std::move(text);
}

}  // namespace

std::uint8_t checksum(std::string_view bytes_after_header) {
  unsigned sum = 0;
  for (char c : bytes_after_header) sum += static_cast<std::uint8_t>(c);
  return static_cast<std::uint8_t>(sum & 0xFF);
}

std::string make_frame(std::uint8_t command, std::uint8_t id, std::string_view data) {
  std::string out;
  out += static_cast<char>(kHeader);
  out += static_cast<char>(command);
  out += static_cast<char>(id);
  out += static_cast<char>(data.size());
  out += data;
  out += static_cast<char>(checksum(std::string_view(out).substr(1)));
  return out;
}

std::string make_reply(std::uint8_t id, bool ack, std::uint8_t rcmd, std::string_view data) {
  std::string body;
  body += static_cast<char>(ack ? kAck : kNak);
  body += static_cast<char>(rcmd);
  body += data;
  return make_frame(kReplyCommand, id, body);
}

std::size_t frame_size(std::string_view buffered) {
  if (buffered.size() < kHeaderSize || byte_at(buffered, 0) != kHeader) return 0;
  return kHeaderSize + byte_at(buffered, 3) + 1;
}

std::optional<Frame> parse_frame(std::string_view bytes, std::string* why) {
  if (bytes.size() < kHeaderSize + 1) {
    fail(why, "frame too short (" + std::to_string(bytes.size()) + " bytes)");
    return std::nullopt;
  }
  if (byte_at(bytes, 0) != kHeader) {
    fail(why, "frame does not start with 0xAA");
    return std::nullopt;
  }
  if (frame_size(bytes) != bytes.size()) {
    fail(why, "length byte says " + std::to_string(byte_at(bytes, 3)) +
                  " data bytes but the frame has " +
                  std::to_string(bytes.size() - kHeaderSize - 1));
    return std::nullopt;
  }
  auto expected = checksum(bytes.substr(1, bytes.size() - 2));
  auto got = byte_at(bytes, bytes.size() - 1);
  if (expected != got) {
    fail(why, "bad checksum " + hex_byte(got) + " (expected " + hex_byte(expected) + ")");
    return std::nullopt;
  }
  Frame frame;
  frame.command = byte_at(bytes, 1);
  frame.id = byte_at(bytes, 2);
  frame.data = std::string(bytes.substr(kHeaderSize, bytes.size() - kHeaderSize - 1));
  return frame;
}

std::optional<Reply> parse_reply(const Frame& frame, std::string* why) {
  if (frame.command != kReplyCommand) {
    fail(why, "not a reply (command byte " + hex_byte(frame.command) + ", replies have 0xFF)");
    return std::nullopt;
  }
  if (frame.data.size() < 2) {
    fail(why, "reply without an ACK/NAK byte and command");
    return std::nullopt;
  }
  auto ack = static_cast<std::uint8_t>(frame.data[0]);
  if (ack != kAck && ack != kNak) {
    fail(why, "reply is neither ACK ('A') nor NAK ('N') but " + hex_byte(ack));
    return std::nullopt;
  }
  Reply reply;
  reply.id = frame.id;
  reply.ack = ack == kAck;
  reply.rcmd = static_cast<std::uint8_t>(frame.data[1]);
  reply.data = frame.data.substr(2);
  return reply;
}

std::string to_hex(std::string_view bytes) {
  std::string out;
  char buffer[4];
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::snprintf(buffer, sizeof buffer, "%02X", byte_at(bytes, i));
    if (i) out += ' ';
    out += buffer;
  }
  return out;
}

std::string hex_byte(std::uint8_t byte) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%02X", byte);
  return buffer;
}

std::optional<std::uint8_t> input_code(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [known, code] : kInputs)
    if (known == lower) return code;
  return std::nullopt;
}

std::string input_name(std::uint8_t code) {
  for (const auto& [name, known] : kInputs)
    if (known == code) return std::string(name);
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%02x", code);
  return buffer;
}

std::string input_names() {
  std::string out;
  for (const auto& [name, code] : kInputs) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string command_name(std::uint8_t command) {
  switch (command) {
    case kCmdStatus:
      return "status";
    case kCmdPower:
      return "power";
    case kCmdVolume:
      return "volume";
    case kCmdMute:
      return "mute";
    case kCmdInput:
      return "input";
    default:
      return "command " + hex_byte(command);
  }
}

}  // namespace roomd::samsung_mdc
