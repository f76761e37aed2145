// The Samsung MDC driver as transcripts on a fake line, in order and byte for byte: the status
// poll on connect, every method, the display id, NAKs as readable errors, replies that are
// corrupt, for another display or garbage, and reconnecting after the line drops.
#include "tests/support/transcript.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using test::from_hex;

namespace {

struct Display : test::Transcript {
  explicit Display(Json settings = Json::object()) : Transcript("samsung_mdc", settings) {}

  // Connected and polled once: off, volume 20, not muted, HDMI 1.
  Transcript& online() {
    return should_send(from_hex("AA 00 01 00 01"))
        .responds(from_hex("AA FF 01 09 41 00 00 14 00 21 10 00 00 8F"))
        .expect_status("input", "hdmi1");
  }
};

}  // namespace

TEST_CASE("samsung_mdc: the driver polls status as soon as it connects", "[samsung_mdc][driver]") {
  Display d;
  d.online()
      .expect_status("power", false)
      .expect_status("volume", 20)
      .expect_status("mute", false)
      .expect_status("connected", true)
      .sends_nothing();
  CHECK(d.logged(LogLevel::warn).empty());
  CHECK(d.module->run_state() == ModuleRunState::running);
}

TEST_CASE("samsung_mdc: transcript: every method, byte for byte", "[samsung_mdc][driver]") {
  Display d;
  const Json status = {{"power", true}, {"volume", 42}, {"mute", true}, {"input", "displayport"}};
  d.online()
      .exec("power", {true})
      .should_send(from_hex("AA 11 01 01 01 14"))
      .responds(from_hex("AA FF 01 03 41 11 01 56"))
      .expect_result(true)
      .expect_status("power", true)
      .exec("switch_to", {"hdmi2"})
      .should_send(from_hex("AA 14 01 01 23 39"))
      .responds(from_hex("AA FF 01 03 41 14 23 7B"))
      .expect_result("hdmi2")
      .expect_status("input", "hdmi2")
      .exec("switch_to", {"DisplayPort"})
      .should_send(from_hex("AA 14 01 01 25 3B"))
      .responds(from_hex("AA FF 01 03 41 14 25 7D"))
      .expect_result("displayport")
      .expect_status("input", "displayport")
      .exec("volume", {42})
      .should_send(from_hex("AA 12 01 01 2A 3E"))
      .responds(from_hex("AA FF 01 03 41 12 2A 80"))
      .expect_result(42)
      .expect_status("volume", 42)
      .exec("mute", {true})
      .should_send(from_hex("AA 13 01 01 01 16"))
      .responds(from_hex("AA FF 01 03 41 13 01 58"))
      .expect_result(true)
      .expect_status("mute", true)
      .exec("status?")
      .should_send(from_hex("AA 00 01 00 01"))
      .responds(from_hex("AA FF 01 09 41 00 01 2A 01 25 10 00 00 AB"))
      .expect_result(status)
      .exec("power?")
      .should_send(from_hex("AA 11 01 00 12"))
      .responds(from_hex("AA FF 01 03 41 11 01 56"))
      .expect_result(true)
      .exec("input?")
      .should_send(from_hex("AA 14 01 00 15"))
      .responds(from_hex("AA FF 01 03 41 14 25 7D"))
      .expect_result("displayport")
      .exec("volume?")
      .should_send(from_hex("AA 12 01 00 13"))
      .responds(from_hex("AA FF 01 03 41 12 2A 80"))
      .expect_result(42)
      .exec("mute?")
      .should_send(from_hex("AA 13 01 00 14"))
      .responds(from_hex("AA FF 01 03 41 13 01 58"))
      .expect_result(true)
      .exec("mute", {false})
      .should_send(from_hex("AA 13 01 01 00 15"))
      .responds(from_hex("AA FF 01 03 41 13 00 57"))
      .expect_result(false)
      .expect_status("mute", false)
      .exec("power", {false})
      .should_send(from_hex("AA 11 01 01 00 13"))
      .responds(from_hex("AA FF 01 03 41 11 00 55"))
      .expect_result(false)
      .expect_status("power", false)
      .sends_nothing();
  CHECK(d.logged(LogLevel::warn).empty());
}

TEST_CASE("samsung_mdc: the display id comes from settings", "[samsung_mdc][driver]") {
  Display d(Json{{"display_id", 5}});
  d.should_send(from_hex("AA 00 05 00 05"))
      .responds(from_hex("AA FF 05 09 41 00 00 14 00 21 10 00 00 93"))
      .expect_status("input", "hdmi1")
      .exec("power", {true})
      .should_send(from_hex("AA 11 05 01 01 18"))
      .responds(from_hex("AA FF 05 03 41 11 01 5A"))
      .expect_result(true);
}

TEST_CASE("samsung_mdc: a status report follows changes made at the display",
          "[samsung_mdc][driver]") {
  Display d;
  // What a poll learns after someone used the remote: on, volume 7, muted, HDMI 3.
  d.online()
      .exec("status?")
      .should_send(from_hex("AA 00 01 00 01"))
      .responds(from_hex("AA FF 01 09 41 00 01 07 01 31 10 00 00 94"))
      .expect_status("power", true)
      .expect_status("volume", 7)
      .expect_status("mute", true)
      .expect_status("input", "hdmi3");
}

TEST_CASE("samsung_mdc: bad arguments are refused before anything is sent",
          "[samsung_mdc][driver]") {
  Display d;
  d.online()
      .exec("switch_to", {"hdmi9"})
      .expect_error({"unknown input \"hdmi9\"",
                     "use one of: pc, dvi, av, svideo, component, hdmi1, hdmi1_pc, hdmi2, "
                     "hdmi2_pc, displayport, hdmi3, hdmi4, magicinfo"})
      .exec("volume", {101})
      .expect_error({"argument 'level' must be from 0 to 100, got 101"})
      .exec("volume", {-1})
      .expect_error({"argument 'level' must be from 0 to 100, got -1"})
      .sends_nothing();
}

TEST_CASE("samsung_mdc: a NAK becomes a method error naming the command and error byte",
          "[samsung_mdc][driver]") {
  Display d;
  d.online()
      .exec("power", {true})
      .should_send(from_hex("AA 11 01 01 01 14"))
      .responds(from_hex("AA FF 01 03 4E 11 02 64"))
      .expect_error({"mod-test: display 1 refused power (MDC command 0x11, NAK error byte 0x02); "
                     "check the display supports it in its current state (on, source) and the "
                     "value is valid"})
      .expect_status("power", false)
      .exec("switch_to", {"hdmi2"})
      .should_send(from_hex("AA 14 01 01 23 39"))
      .responds(from_hex("AA FF 01 03 4E 14 03 68"))
      .expect_error({"refused input (MDC command 0x14, NAK error byte 0x03)"})
      .expect_status("input", "hdmi1")
      // Nothing is stuck: the display accepts commands again.
      .exec("power", {true})
      .should_send(from_hex("AA 11 01 01 01 14"))
      .responds(from_hex("AA FF 01 03 41 11 01 56"))
      .expect_result(true);
}

TEST_CASE("samsung_mdc: replies with a bad checksum or another display's id are ignored",
          "[samsung_mdc][driver]") {
  Display d(Json{{"timeout", "20ms"}});
  d.online();
  SECTION("bad checksum") {
    d.exec("power", {true})
        .should_send(from_hex("AA 11 01 01 01 14"))
        .responds(from_hex("AA FF 01 03 41 11 01 57"))
        .expect_log(LogLevel::warn, {"bad checksum", "AA FF 01 03 41 11 01", "(expected 0x56)"})
        .should_resend(from_hex("AA 11 01 01 01 14"))
        .should_resend(from_hex("AA 11 01 01 01 14"))
        .wait_for_completion()
        .expect_error({"no reply to 'power' within 20ms (3 attempts)"});
  }
  SECTION("another display id") {
    d.exec("volume", {30})
        .should_send(from_hex("AA 12 01 01 1E 32"))
        .responds(from_hex("AA FF 02 03 41 12 1E 75"))
        .expect_log(LogLevel::warn, {"display id 2", "settings.display_id"})
        .wait_for_completion()
        .expect_error({"no reply to 'volume'"})
        .expect_status("volume", 20);  // another display's volume is not ours
  }
  CHECK(d.module->run_state() == ModuleRunState::running);
}

TEST_CASE("samsung_mdc: garbage from the display is skipped and never completes a command",
          "[samsung_mdc][driver]") {
  Display d;
  d.online()
      .exec("power", {true})
      .should_send(from_hex("AA 11 01 01 01 14"))
      // Noise; another display's reply; a bad checksum; checksum fine but no ACK/NAK byte; a
      // command, not a reply; a reply to another command (which still tells the volume).
      .responds(from_hex("01 02 7F") + from_hex("AA FF 02 03 41 11 00 56") +
                from_hex("AA FF 01 03 41 11 00 56") + from_hex("AA FF 01 00 00") +
                from_hex("AA 11 01 01 01 14") + from_hex("AA FF 01 03 41 12 09 5F"))
      .expect_pending()
      .expect_status("volume", 9)
      .responds(from_hex("AA FF 01 03 41 11 01 56"))
      .expect_result(true);
  CHECK(d.logged(LogLevel::warn, "ignored").size() == 4);
  CHECK(d.module->run_state() == ModuleRunState::running);
}

TEST_CASE("samsung_mdc: the driver reconnects after the display drops the line",
          "[samsung_mdc][driver]") {
  Display d;
  d.online()
      .exec("power", {true})
      .should_send(from_hex("AA 11 01 01 01 14"))
      .drops_link()
      .expect_log(LogLevel::warn, {"disconnected"})
      .expect_pending()
      // The command waits for the reconnect and is sent again, before the poll's.
      .accepts_link()
      .should_send(from_hex("AA 11 01 01 01 14"))
      .responds(from_hex("AA FF 01 03 41 11 01 56"))
      .expect_result(true)
      .should_send(from_hex("AA 00 01 00 01"))
      .expect_status("connected", true);
}
