// SIS text by hand-written examples: tie answers plain, zero-padded, partial or malformed; tie
// commands both ways; error codes and their meaning; the login prompt and banner; tagged
// values; firmware answers and noise; and the command kind of what was sent.
#include "drivers/extron_sis/sis_codec.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace roomd::extron;

namespace {

// The tie a frame parses to, as "output input layer" ("- 3 $" without an output), or "none".
std::string tie_of(std::string_view frame) {
  auto tie = parse_tie(frame);
  if (!tie) return "none";
  auto output = tie->output ? std::to_string(*tie->output) : std::string("-");
  return output + " " + std::to_string(tie->input) + " " + tie->layer;
}

// The same for a tie command.
std::string command_of(std::string_view bytes) {
  auto tie = parse_tie_command(bytes);
  if (!tie) return "none";
  auto output = tie->output ? std::to_string(*tie->output) : std::string("-");
  return output + " " + std::to_string(tie->input) + " " + tie->layer;
}

}  // namespace

TEST_CASE("extron_sis: codec: tie answers with an output, on every layer", "[extron][codec]") {
  CHECK(tie_of("Out2 In1 All") == "2 1 !");
  CHECK(tie_of("Out02 In01 All") == "2 1 !");  // zero-padded, as verbose mode 3 sends them
  CHECK(tie_of("Out2 In10 Vid") == "2 10 %");
  CHECK(tie_of("Out4 In3 Aud") == "4 3 $");
  CHECK(tie_of("Out1 In4 RGB") == "1 4 &");
  CHECK(tie_of("Out01In02RGB") == "1 2 &");  // without the spaces
  CHECK(tie_of("Out2  In1   All") == "2 1 !");
  CHECK(tie_of("Out3 In0 All") == "3 0 !");  // untied
  CHECK(tie_of("Out999 In999 Vid") == "999 999 %");
}

TEST_CASE("extron_sis: codec: tie answers to every output", "[extron][codec]") {
  CHECK(tie_of("In3 Aud") == "- 3 $");
  CHECK(tie_of("In05 All") == "- 5 !");
  CHECK(tie_of("In1Vid") == "- 1 %");
}

TEST_CASE("extron_sis: codec: partial and malformed tie answers are refused", "[extron][codec]") {
  for (const char* frame : {"",
                            "O",
                            "Out",
                            "Out2",
                            "Out2 ",
                            "Out2 In",
                            "Out2 In1",
                            "Out2 In1 ",
                            "In",
                            "In1",
                            "In1 Al",
                            "Out In1 All",
                            "Out2 In All",
                            "Out-2 In1 All",
                            "Out2 In-1 All",
                            "Out+2 In1 All",
                            "Out2 In1 Foo",
                            "Out2 In1 all",
                            "In1 All trailing",
                            "Out2 In1 All\r",
                            " Out2 In1 All",
                            "Out2 Out3 In1 All",
                            "Out2x In1 All",
                            "Out99999999999 In1 All",
                            "Vol082",
                            "E01",
                            "\xff\xfe"}) {
    INFO("\"" << frame << "\"");
    CHECK(tie_of(frame) == "none");
  }
}

TEST_CASE("extron_sis: codec: tie commands both ways", "[extron][codec]") {
  CHECK(tie_command({.output = 2, .input = 1, .layer = '!'}) == "1*2!");
  CHECK(tie_command({.output = 12, .input = 3, .layer = '%'}) == "3*12%");
  CHECK(tie_command({.output = 1, .input = 0, .layer = '$'}) == "0*1$");
  CHECK(tie_command({.input = 5}) == "5!");
  CHECK(command_of("1*2!") == "2 1 !");
  CHECK(command_of("3*12%") == "12 3 %");
  CHECK(command_of("5!") == "- 5 !");
  CHECK(command_of("4*2$") == "2 4 $");
  // Any one character after the numbers reads as its layer: the driver compares layers.
  CHECK(command_of("40V") == "- 40 V");
  for (const char* bytes : {"", "!", "*2!", "1*!", "1*2", "1*2!!", "12", "Q", "x1*2!",
                            "\x1b"
                            "3CV\r"}) {
    INFO("\"" << bytes << "\"");
    CHECK(command_of(bytes) == "none");
  }
}

TEST_CASE("extron_sis: codec: layers by character and by name", "[extron][codec]") {
  CHECK(layer_family('!') == '!');
  CHECK(layer_family('%') == '%');
  CHECK(layer_family('&') == '%');  // RGB is the video layer
  CHECK(layer_family('$') == '$');
  CHECK(std::string(layer_name('!')) == "all");
  CHECK(std::string(layer_name('%')) == "video");
  CHECK(std::string(layer_name('&')) == "video");
  CHECK(std::string(layer_name('$')) == "audio");
  CHECK(layer_code("all") == '!');
  CHECK(layer_code("video") == '%');
  CHECK(layer_code("audio") == '$');
  CHECK_FALSE(layer_code("both"));
  CHECK_FALSE(layer_code("Video"));
  CHECK_FALSE(layer_code(""));
}

TEST_CASE("extron_sis: codec: error codes and their meaning", "[extron][codec]") {
  for (const char* code : {"E01", "E10", "E13", "E22", "E24", "E99"}) CHECK(is_error_code(code));
  for (const char* frame : {"", "E", "E1", "E001", "e01", "EAB", "E0x", "X01", "E01 "})
    CHECK_FALSE(is_error_code(frame));
  CHECK_THAT(error_meaning("E01"), Catch::Contains("invalid input number"));
  CHECK_THAT(error_meaning("E12"), Catch::Contains("invalid output number"));
  CHECK_THAT(error_meaning("E13"), Catch::Contains("out of range"));
  CHECK_THAT(error_meaning("E22"), Catch::Contains("busy"));
  CHECK_THAT(error_meaning("E24"),
             Catch::Contains("privilege violation") && Catch::Contains("administrator password"));
  CHECK(error_meaning("E99") == "error E99 (see the switcher's SIS error code table)");
}

TEST_CASE("extron_sis: codec: the password prompt and the banner", "[extron][codec]") {
  // The tokenizer cuts "Password:" after "word:", leaving "Pass".
  CHECK(is_prompt("Pass"));
  CHECK(is_prompt("\r\nPass"));
  CHECK(is_prompt("PASS"));
  CHECK_FALSE(is_prompt("Pas"));
  CHECK_FALSE(is_prompt(""));
  CHECK_FALSE(is_prompt("Password"));
  CHECK_FALSE(is_prompt("Login Administrator"));
  CHECK(is_banner("(c) Copyright 2020, Extron Electronics, DXP 88 HDMI"));
  CHECK(is_banner("(C) Copyright"));
  CHECK_FALSE(is_banner("Copyright (c)"));
  CHECK_FALSE(is_banner("(c"));
  CHECK_FALSE(is_banner(""));
}

TEST_CASE("extron_sis: codec: tagged values", "[extron][codec]") {
  CHECK(value_after("Vol082", "Vol") == 82);
  CHECK(value_after("Vol82", "Vol") == 82);
  CHECK(value_after("Vol0", "Vol") == 0);
  CHECK(value_after("Amt1", "Amt") == 1);
  CHECK(value_after("Vol-5", "Vol") == -5);
  CHECK_FALSE(value_after("Vol", "Vol"));             // partial: the tag alone
  CHECK_FALSE(value_after("Vol82x", "Vol"));          // trailing bytes
  CHECK_FALSE(value_after("Vol 82", "Vol"));          // a space is not a number
  CHECK_FALSE(value_after("Amt1", "Vol"));            // another tag
  CHECK_FALSE(value_after("Vo", "Vol"));              // shorter than the tag
  CHECK_FALSE(value_after("vol82", "Vol"));           // tags are case-sensitive
  CHECK_FALSE(value_after("Vol99999999999", "Vol"));  // does not fit
}

TEST_CASE("extron_sis: codec: firmware answers, tagged or not, and noise", "[extron][codec]") {
  CHECK(firmware_version("1.02") == "1.02");
  CHECK(firmware_version("Ver01*1.02") == "1.02");
  CHECK(firmware_version("Ver01*1.02.0003") == "1.02.0003");
  CHECK(firmware_version("1.02-beta") == "1.02-beta");
  CHECK_FALSE(firmware_version(""));
  CHECK_FALSE(firmware_version("abc"));         // no digit
  CHECK_FALSE(firmware_version("\xff\xfe 1"));  // bytes no version has
  CHECK_FALSE(firmware_version("1.02\r"));
  CHECK_FALSE(firmware_version("Vol=82"));
}

TEST_CASE("extron_sis: codec: the kind of command that was sent", "[extron][codec]") {
  CHECK(command_kind("1*2!") == '!');
  CHECK(command_kind("3*2%") == '%');
  CHECK(command_kind("4*2$") == '$');
  CHECK(command_kind("1*2&") == '&');
  CHECK(command_kind("40V") == 'V');
  CHECK(command_kind("1Z") == 'Z');
  CHECK(command_kind("0B") == 'B');
  CHECK(command_kind("Q") == 'Q');
  CHECK(command_kind("\x1b"
                     "3CV\r") == '\x1b');
  CHECK(command_kind("") == '\0');
}
