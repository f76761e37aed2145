// Extron SIS (Simple Instruction Set) text as the driver reads and writes it: tie commands and
// tie answers, error codes and their meaning, the login prompt, tagged values ("Vol082") and
// firmware answers. No state and no I/O, so the fuzzers and tests reach it directly.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace roomd::extron {

constexpr int kMaxChannel = 999;  // the largest Extron matrices stay far below this

// What a tie names: "Out02 In01 All" (output set) or "In1 Vid" (switch to all outputs).
struct TieReport {
  std::optional<int> output;
  int input = 0;
  char layer = '!';  // the SIS tie character: '!' all, '%' video, '$' audio, '&' RGB (video)
};

// Parses "Out<o> In<i> <All|Vid|Aud|RGB>" and "In<i> <layer>", zero-padded or not, with or
// without the spaces; nullopt for anything else.
std::optional<TieReport> parse_tie(std::string_view frame);
// The tie command: "1*2!" ties input 1 to output 2, "3!" input 3 to every output.
std::string tie_command(const TieReport& tie);
// Reads back what tie_command wrote; nullopt for any other command.
std::optional<TieReport> parse_tie_command(std::string_view bytes);
// Video and RGB ties report the same layer.
char layer_family(char layer);
// "all", "video" or "audio" for a tie character.
const char* layer_name(char layer);
// The tie character of "all", "video" or "audio"; nullopt for anything else.
std::optional<char> layer_code(std::string_view name);

// "E01", "E22": a whole frame that is an SIS error code.
bool is_error_code(std::string_view frame);
// Readable meaning of an SIS error code ("E01" -> "invalid input number ..."); a generic text
// for codes this driver does not know.
std::string error_meaning(std::string_view code);

// The tokenizer ends a frame at "word:", so the prompt "Password:" arrives as "Pass".
bool is_prompt(std::string_view frame);
// The banner a switcher sends on connect: "(c) Copyright ...".
bool is_banner(std::string_view frame);

// "Vol082" -> 82 when the whole frame is the prefix and a number.
std::optional<int> value_after(std::string_view frame, std::string_view prefix);

// The firmware version in a Q answer: "1.02", or what follows the tag in "Ver01*1.02";
// nullopt for noise that does not look like a version.
std::optional<std::string_view> firmware_version(std::string_view frame);

// The command character of what was sent: '!' '%' '$' '&' ties, 'V' 'Z' 'B' 'Q', '\x1b' for an
// escape command.
char command_kind(std::string_view bytes);

}  // namespace roomd::extron
