#include "drivers/extron_sis/sis_codec.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace roomd::extron {
namespace {

struct ErrorText {
  std::string_view code;
  std::string_view meaning;
};

constexpr std::array<ErrorText, 14> kErrors = {{
    {"E01", "invalid input number (no such input on this switcher; check the input number)"},
    {"E10", "invalid command (this switcher model does not support it)"},
    {"E11", "invalid preset number"},
    {"E12", "invalid output number (no such output on this switcher; check the output number)"},
    {"E13", "invalid parameter (the value is out of range for this switcher)"},
    {"E14", "not valid for this configuration"},
    {"E17", "timed out (the switcher gave up waiting for the command to complete)"},
    {"E21", "invalid room number"},
    {"E22", "busy (the switcher is processing another request)"},
    {"E24",
     "privilege violation (logged in as User: set settings.password to the administrator "
     "password)"},
    {"E25", "device not present"},
    {"E26", "maximum number of connections exceeded (close other telnet sessions)"},
    {"E27", "invalid event number"},
    {"E28", "bad filename or file not found"},
}};

// Reads a whole (possibly zero-padded, possibly negative) number at the front of `text` and
// advances past it.
std::optional<int> take_number(std::string_view& text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

bool take(std::string_view& text, std::string_view word) {
  if (!text.starts_with(word)) return false;
  text.remove_prefix(word.size());
  return true;
}

void skip_spaces(std::string_view& text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
}

// "1.02", "Ver01*1.02": what a Q answer looks like, so noise is not taken for a version.
bool looks_like_version(std::string_view frame) {
  return std::any_of(frame.begin(), frame.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; }) &&
         std::all_of(frame.begin(), frame.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '.' || c == '*' || c == '-' || c == ' ';
         });
}

}  // namespace

std::optional<TieReport> parse_tie(std::string_view frame) {
  TieReport tie;
  if (take(frame, "Out")) {
    tie.output = take_number(frame);
    if (!tie.output || *tie.output < 0) return std::nullopt;
    skip_spaces(frame);
  }
  if (!take(frame, "In")) return std::nullopt;
  auto input = take_number(frame);
  if (!input || *input < 0) return std::nullopt;
  tie.input = *input;
  skip_spaces(frame);
  if (frame == "All") {
    tie.layer = '!';
  } else if (frame == "Vid") {
    tie.layer = '%';
  } else if (frame == "Aud") {
    tie.layer = '$';
  } else if (frame == "RGB") {
    tie.layer = '&';
  } else {
    return std::nullopt;
  }
  return tie;
}

std::string tie_command(const TieReport& tie) {
  auto bytes = std::to_string(tie.input);
  if (tie.output) bytes += "*" + std::to_string(*tie.output);
  return bytes + tie.layer;
}

std::optional<TieReport> parse_tie_command(std::string_view bytes) {
  TieReport tie;
  auto input = take_number(bytes);
  if (!input) return std::nullopt;
  tie.input = *input;
  if (take(bytes, "*")) {
    tie.output = take_number(bytes);
    if (!tie.output) return std::nullopt;
  }
  if (bytes.size() != 1) return std::nullopt;
  tie.layer = bytes[0];
  return tie;
}

char layer_family(char layer) {
  return layer == '&' ? '%' : layer;
}

const char* layer_name(char layer) {
  switch (layer) {
    case '%':
    case '&':
      return "video";
    case '$':
      return "audio";
    default:
      return "all";
  }
}

std::optional<char> layer_code(std::string_view name) {
  if (name == "all") return '!';
  if (name == "video") return '%';
  if (name == "audio") return '$';
  return std::nullopt;
}

bool is_error_code(std::string_view frame) {
  return frame.size() == 3 && frame[0] == 'E' &&
         std::isdigit(static_cast<unsigned char>(frame[1])) &&
         std::isdigit(static_cast<unsigned char>(frame[2]));
}

std::string error_meaning(std::string_view code) {
  for (const auto& e : kErrors)
    if (e.code == code) return std::string(e.meaning);
  return "error " + std::string(code) + " (see the switcher's SIS error code table)";
}

bool is_prompt(std::string_view frame) {
  if (frame.size() < 4) return false;
  auto tail = frame.substr(frame.size() - 4);
  return std::equal(tail.begin(), tail.end(), std::string_view("pass").begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

bool is_banner(std::string_view frame) {
  return frame.starts_with("(c)") || frame.starts_with("(C)");
}

std::optional<int> value_after(std::string_view frame, std::string_view prefix) {
  if (!take(frame, prefix)) return std::nullopt;
  auto value = take_number(frame);
  if (!value || !frame.empty()) return std::nullopt;
  return value;
}

std::optional<std::string_view> firmware_version(std::string_view frame) {
  if (!looks_like_version(frame)) return std::nullopt;
  auto star = frame.find_last_of('*');
  return star == std::string_view::npos ? frame : frame.substr(star + 1);
}

char command_kind(std::string_view bytes) {
  if (bytes.starts_with('\x1b')) return '\x1b';
  if (bytes.empty()) return '\0';
  return bytes.back();
}

}  // namespace roomd::extron
