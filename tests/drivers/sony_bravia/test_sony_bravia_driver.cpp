// The Sony Bravia driver as transcripts on a fake line, in order and byte for byte: the poll
// after connecting, every method with the frames it sends, notifies between a command and its
// answer, all-F and all-N answers as method errors, reconnects, garbage that keeps or breaks
// the 24-byte framing, and a display that does not answer.
#include "tests/support/transcript.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace roomd;

namespace {

struct Display : test::Transcript {
  // Only the poll after each connect, unless a test wants more.
  explicit Display(const Json& settings = Json::object())
      : Transcript("sony_bravia", with_defaults(settings)) {}

  static Json with_defaults(const Json& settings) {
    Json all = {{"poll_every", "1h"}};
    all.update(settings);
    return all;
  }

  // Polled in standby: power only.
  Transcript& in_standby() {
    return should_send("*SEPOWR################\n")
        .responds("*SAPOWR0000000000000000\n")
        .expect_status("power", false)
        .sends_nothing();
  }

  // Polled while on: power, input, volume and mute, one after the other.
  Transcript& on(const std::string& volume = "0000000000000020") {
    return should_send("*SEPOWR################\n")
        .responds("*SAPOWR0000000000000001\n")
        .should_send("*SEINPT################\n")
        .responds("*SAINPT0000000100000001\n")
        .should_send("*SEVOLU################\n")
        .responds("*SAVOLU" + volume + "\n")
        .should_send("*SEAMUT################\n")
        .responds("*SAAMUT0000000000000000\n")
        .expect_status("mute", false)
        .sends_nothing();
  }
};

}  // namespace

TEST_CASE("sony_bravia: after connecting the driver polls power, input, volume and mute",
          "[sony_bravia]") {
  Display d;
  d.on()
      .expect_status("power", true)
      .expect_status("input", "hdmi1")
      .expect_status("volume", 20)
      .expect_status("connected", true);
  CHECK(d.logged(LogLevel::warn).empty());
}

TEST_CASE("sony_bravia: in standby only power is polled", "[sony_bravia]") {
  Display d;
  d.in_standby().expect_status("input", nullptr).expect_status("volume", nullptr);
}

TEST_CASE("sony_bravia: transcript: every method, byte for byte", "[sony_bravia]") {
  Display d;
  d.in_standby()
      // The answer completes the command; the notify that follows only confirms the status.
      .exec("power", {true})
      .should_send("*SCPOWR0000000000000001\n")
      .responds("*SAPOWR0000000000000000\n")
      .expect_result(true)
      .expect_status("power", true)
      .responds("*SNPOWR0000000000000001\n")
      .expect_status("power", true)
      .exec("switch_to", {"hdmi2"})
      .should_send("*SCINPT0000000100000002\n")
      .responds("*SAINPT0000000000000000\n")
      .expect_result("hdmi2")
      .expect_status("input", "hdmi2")
      .exec("switch_to", {"component1"})
      .should_send("*SCINPT0000000400000001\n")
      .responds("*SAINPT0000000000000000\n")
      .expect_result("component1")
      .expect_status("input", "component1")
      .exec("volume", {30})
      .should_send("*SCVOLU0000000000000030\n")
      .responds("*SAVOLU0000000000000000\n")
      .expect_result(30)
      .expect_status("volume", 30)
      .exec("mute", {true})
      .should_send("*SCAMUT0000000000000001\n")
      .responds("*SAAMUT0000000000000000\n")
      .expect_result(true)
      .expect_status("mute", true)
      // Enquiries return the display's value and publish it.
      .exec("volume?")
      .should_send("*SEVOLU################\n")
      .responds("*SAVOLU0000000000000031\n")
      .expect_result(31)
      .expect_status("volume", 31)
      .exec("input?")
      .should_send("*SEINPT################\n")
      .responds("*SAINPT0000000400000001\n")
      .expect_result("component1")
      .exec("mute?")
      .should_send("*SEAMUT################\n")
      .responds("*SAAMUT0000000000000001\n")
      .expect_result(true)
      .exec("power?")
      .should_send("*SEPOWR################\n")
      .responds("*SAPOWR0000000000000001\n")
      .expect_result(true)
      .exec("mute", {false})
      .should_send("*SCAMUT0000000000000000\n")
      .responds("*SAAMUT0000000000000000\n")
      .expect_result(false)
      .expect_status("mute", false)
      .exec("power", {false})
      .should_send("*SCPOWR0000000000000000\n")
      .responds("*SAPOWR0000000000000000\n")
      .expect_result(false)
      .expect_status("power", false)
      .sends_nothing();
  CHECK(d.logged(LogLevel::warn).empty());
}

TEST_CASE("sony_bravia: a notify between a command and its answer does not complete it",
          "[sony_bravia]") {
  Display d;
  d.on();
  SECTION("the display notifies before it answers") {
    d.exec("switch_to", {"hdmi3"})
        .should_send("*SCINPT0000000100000003\n")
        .responds("*SNINPT0000000100000003\n")
        .expect_pending()
        .expect_status("input", "hdmi3")
        .responds("*SAINPT0000000000000000\n")
        .expect_result("hdmi3");
  }
  SECTION("a notify of the same command arrives while an enquiry waits") {
    // The user turns it off with the remote: the notify lands first and updates the status.
    d.exec("power?")
        .should_send("*SEPOWR################\n")
        .responds("*SNPOWR0000000000000000\n*SNVOLU0000000000000045\n")
        .expect_pending()
        .expect_status("volume", 45)
        .expect_status("power", false)
        // Then the answer: it completes the enquiry with its own value.
        .responds("*SAPOWR0000000000000001\n")
        .expect_result(true)
        .expect_status("power", true);
  }
  d.sends_nothing();
}

TEST_CASE("sony_bravia: notify frames from the remote control update the status", "[sony_bravia]") {
  Display d;
  d.on()
      .responds("*SNVOLU0000000000000055\n")
      .expect_status("volume", 55)
      .responds("*SNINPT0000000100000004\n")
      .expect_status("input", "hdmi4")
      .responds("*SNAMUT0000000000000001\n")
      .expect_status("mute", true)
      .responds("*SNPOWR0000000000000000\n")
      .expect_status("power", false)
      // Notifies are not commands: the driver sends nothing back.
      .sends_nothing();
  CHECK(d.logged(LogLevel::warn).empty());
}

TEST_CASE("sony_bravia: all-F, all-N and unreadable answers are method errors naming the command",
          "[sony_bravia]") {
  Display d;
  d.in_standby();
  SECTION("input in standby") {
    d.exec("switch_to", {"hdmi1"})
        .should_send("*SCINPT0000000100000001\n")
        .responds("*SAINPTFFFFFFFFFFFFFFFF\n")
        .expect_error({"mod-test", "*SAINPTFFFFFFFFFFFFFFFF", "control INPT (input)",
                       "check the display is on"})
        .expect_status("input", nullptr);
  }
  SECTION("a display that refuses everything") {
    d.exec("power", {true})
        .should_send("*SCPOWR0000000000000001\n")
        .responds("*SAPOWRFFFFFFFFFFFFFFFF\n")
        .expect_error({"control POWR (power)", "refused"})
        .expect_status("power", false)
        .exec("volume?")
        .should_send("*SEVOLU################\n")
        .responds("*SAVOLUFFFFFFFFFFFFFFFF\n")
        .expect_error({"enquiry VOLU (volume)"});
  }
  SECTION("a command this model does not offer") {
    d.exec("mute", {true})
        .should_send("*SCAMUT0000000000000001\n")
        .responds("*SAAMUTNNNNNNNNNNNNNNNN\n")
        .expect_error({"*SAAMUTNNNNNNNNNNNNNNNN (not found)", "control AMUT (audio mute)",
                       "this model does not offer it"})
        .expect_status("mute", nullptr);
  }
  SECTION("an enquiry answered with a value out of range") {
    d.exec("volume?")
        .should_send("*SEVOLU################\n")
        .responds("*SAVOLU0000000000000101\n")
        .expect_error({"enquiry VOLU (volume) with an unreadable value \"0000000000000101\""})
        .expect_status("volume", nullptr);
  }
  SECTION("arguments the display cannot take are refused before sending") {
    d.exec("volume", {101})
        .expect_error({"argument 'level' must be from 0 to 100, got 101"})
        .exec("switch_to", {"dvi1"})
        .expect_error({"unknown input \"dvi1\"", "hdmi1-4"})
        .exec("switch_to", {"hdmi0"})
        .expect_error({"unknown input \"hdmi0\""})
        .sends_nothing();
  }
  // One attempt each (an error is an answer), and the module is fine afterwards.
  d.sends_nothing()
      .exec("power?")
      .should_send("*SEPOWR################\n")
      .responds("*SAPOWR0000000000000000\n")
      .expect_result(false);
  CHECK(d.module->run_state() == ModuleRunState::running);
}

TEST_CASE("sony_bravia: after the display's idle disconnect the driver reconnects and polls again",
          "[sony_bravia]") {
  Display d;
  d.on()
      // The display hangs up the silent connection; the link comes back.
      .drops_link()
      .expect_log(LogLevel::warn, {"disconnected"})
      .expect_status("connected", false)
      .accepts_link();
  // The poll after the reconnect asks again, in the same order, and picks up a change made
  // while the driver was away.
  d.on("0000000000000070")
      .expect_status("volume", 70)
      .exec("volume", {12})
      .should_send("*SCVOLU0000000000000012\n")
      .responds("*SAVOLU0000000000000000\n")
      .expect_result(12);
  CHECK(d.module->run_state() == ModuleRunState::running);
}

TEST_CASE("sony_bravia: a dropped connection resends the command after the reconnect",
          "[sony_bravia]") {
  Display d;
  d.on()
      .exec("volume", {33})
      .should_send("*SCVOLU0000000000000033\n")
      .drops_link()
      .expect_pending()
      .accepts_link()
      .should_send("*SCVOLU0000000000000033\n")
      .responds("*SAVOLU0000000000000000\n")
      .expect_result(33)
      .expect_status("volume", 33)
      .should_send("*SEPOWR################\n");
}

TEST_CASE("sony_bravia: garbage from the display is logged and survived", "[sony_bravia]") {
  Display d;
  d.on();
  SECTION("24 bytes of junk keep the framing: same connection") {
    d.responds(std::string(24, '\xff'))
        .expect_log(LogLevel::warn, {"ignored 24 bytes", "not Simple IP frames", "\\xFF"})
        .exec("volume", {40})
        .should_send("*SCVOLU0000000000000040\n")
        .responds("*SAVOLU0000000000000000\n")
        .expect_result(40);
    CHECK(d.line.reconnects() == 0);
  }
  SECTION("junk that shifts the framing: the driver reconnects to realign") {
    d.exec("volume", {40})
        .should_send("*SCVOLU0000000000000040\n")
        .responds("\x81\x82\x83\x84\x85*SAVOLU0000000000000000\n")
        .expect_log(LogLevel::warn, {"reconnecting to realign"})
        // The named command waited for the reconnect and goes again.
        .should_send("*SCVOLU0000000000000040\n")
        .responds("*SAVOLU0000000000000000\n")
        .expect_result(40);
    d.on();
    CHECK(d.line.reconnects() == 1);
  }
  SECTION("a broken frame with the right length") {
    d.responds("*SXPOWR0000000000000000\n")
        .expect_log(LogLevel::warn, {"not Simple IP frames"})
        .expect_status("power", true);
  }
  SECTION("an answer with nothing pending") {
    d.responds("*SAPOWR0000000000000000\n").expect_status("power", true);
  }
  d.exec("mute?")
      .should_send("*SEAMUT################\n")
      .responds("*SAAMUT0000000000000000\n")
      .expect_result(false);
  CHECK(d.module->run_state() == ModuleRunState::running);
  CHECK(d.logged(LogLevel::error).empty());
}

TEST_CASE("sony_bravia: a display that does not answer fails the method after the timeout",
          "[sony_bravia]") {
  Display d(Json{{"timeout", "20ms"}});
  d.in_standby()
      .exec("power", {true})
      .should_send("*SCPOWR0000000000000001\n")
      .should_resend("*SCPOWR0000000000000001\n")
      .should_resend("*SCPOWR0000000000000001\n")
      .wait_for_completion()
      .expect_error({"no reply to 'power'", "within 20ms", "3 attempts"})
      .expect_status("power", false)
      .exec("power", {true})
      .should_send("*SCPOWR0000000000000001\n")
      .responds("*SAPOWR0000000000000000\n")
      .expect_result(true);
}
