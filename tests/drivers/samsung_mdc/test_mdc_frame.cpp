// MDC framing by hand-checked bytes: checksums of the manual's examples, replies that are
// short, corrupt or not replies at all, and the input names both ways.
#include "drivers/samsung_mdc/mdc_frame.hpp"

#include <catch2/catch.hpp>

using namespace roomd::samsung_mdc;

TEST_CASE("samsung_mdc: MDC commands carry the sum of the bytes after 0xAA",
          "[samsung_mdc][frame]") {
  // 11+01+01+01 = 0x14
  CHECK(to_hex(make_frame(kCmdPower, 1, "\x01")) == "AA 11 01 01 01 14");
  CHECK(to_hex(make_frame(kCmdStatus, 1)) == "AA 00 01 00 01");
  // 12+01+01+64 = 0x78
  CHECK(to_hex(make_frame(kCmdVolume, 1, "\x64")) == "AA 12 01 01 64 78");
  // FF+01+03+41+11+01 = 0x156 -> 0x56
  CHECK(to_hex(make_reply(1, true, kCmdPower, "\x01")) == "AA FF 01 03 41 11 01 56");
  // The sum wraps: 14+FE+01+FF = 0x212 -> 0x12.
  CHECK(checksum(std::string("\x14\xFE\x01\xFF", 4)) == 0x12);
}

TEST_CASE("samsung_mdc: an MDC reply parses into id, ACK/NAK, command and values",
          "[samsung_mdc][frame]") {
  auto frame = parse_frame(make_reply(7, false, kCmdInput, "\x02"));
  REQUIRE(frame);
  auto reply = parse_reply(*frame);
  REQUIRE(reply);
  CHECK(reply->id == 7);
  CHECK_FALSE(reply->ack);
  CHECK(reply->rcmd == kCmdInput);
  CHECK(reply->data == "\x02");
}

TEST_CASE("samsung_mdc: corrupt MDC frames are refused with a reason", "[samsung_mdc][frame]") {
  std::string why;
  auto good = make_reply(1, true, kCmdPower, "\x01");
  auto bad = good;
  bad.back() = '\x55';
  CHECK_FALSE(parse_frame(bad, &why));
  CHECK(why == "bad checksum 0x55 (expected 0x56)");
  CHECK_FALSE(parse_frame(good.substr(0, 5), &why));
  CHECK_THAT(why, Catch::Contains("length byte says 3"));
  CHECK_FALSE(parse_frame("\xAA\x01", &why));
  CHECK_THAT(why, Catch::Contains("too short"));
  // Well formed, but a command rather than a reply, or a reply without ACK/NAK.
  auto command = parse_frame(make_frame(kCmdPower, 1, "\x01"));
  REQUIRE(command);
  CHECK_FALSE(parse_reply(*command, &why));
  CHECK_THAT(why, Catch::Contains("not a reply"));
  auto empty = parse_frame(std::string("\xAA\xFF\x01\x00\x00", 5));
  REQUIRE(empty);
  CHECK_FALSE(parse_reply(*empty, &why));
  auto odd = parse_frame(make_frame(kReplyCommand, 1, "X\x11\x01"));
  REQUIRE(odd);
  CHECK_FALSE(parse_reply(*odd, &why));
  CHECK_THAT(why, Catch::Contains("neither ACK"));
}

TEST_CASE("samsung_mdc: MDC input names map to source codes and back", "[samsung_mdc][frame]") {
  CHECK(input_code("hdmi1") == 0x21);
  CHECK(input_code("HDMI2") == 0x23);
  CHECK(input_code("hdmi3") == 0x31);
  CHECK(input_code("hdmi4") == 0x33);
  CHECK(input_code("displayport") == 0x25);
  CHECK(input_code("dvi") == 0x18);
  CHECK(input_code("pc") == 0x14);
  CHECK(input_code("av") == 0x0C);
  CHECK(input_code("component") == 0x08);
  CHECK(input_code("magicinfo") == 0x60);
  CHECK_FALSE(input_code("hdmi9"));
  CHECK(input_name(0x25) == "displayport");
  CHECK(input_name(0x1F) == "0x1f");
  CHECK_THAT(input_names(), Catch::StartsWith("pc, dvi, av"));
  CHECK(frame_size(std::string("\xAA\x00\x01\x09", 4)) == 14);
  CHECK(frame_size(std::string("\xAA\x00\x01", 3)) == 0);
}
