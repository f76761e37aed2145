// The Extron SIS driver's link as transcripts on a fake line: keep-alive against the
// switcher's idle timeout, reconnects after the switcher hangs up or stops answering, garbage
// on the line, and RS-232 with no banner.
#include "tests/drivers/extron_sis/switcher.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test::extron_sis;

TEST_CASE("extron_sis: keep-alive Q keeps the connection and reads the firmware",
          "[extron][driver]") {
  Switcher s(Json{{"keepalive_every", "20ms"}});
  s.online();
  for (int i = 0; i < 3; ++i) s.should_send_later("Q").responds("1.02\r\n");
  s.expect_status("firmware", "1.02").expect_status("connected", true);
  CHECK(s.line.reconnects() == 0);
  CHECK(s.logged(LogLevel::warn).empty());
}

TEST_CASE("extron_sis: a keep-alive without reply reconnects", "[extron][driver]") {
  Switcher s(Json{{"keepalive_every", "50ms"}, {"timeout", "10ms"}});
  s.online().should_send_later("Q").should_resend("Q").should_resend("Q");
  // Reconnected, and online again with verbose mode set on the new connection.
  s.online()
      .expect_log(LogLevel::warn, {"keep-alive failed", "no reply", "reconnecting"})
      .expect_status("connected", true);
  CHECK(s.line.reconnects() == 1);
}

TEST_CASE("extron_sis: the switcher dropping the line is reconnected, logged in again",
          "[extron][driver]") {
  Switcher s(Json{{"password", kPassword}, {"login_wait", "2s"}});
  s.logs_in(kPassword)
      .drops_link()
      .expect_log(LogLevel::warn, {"disconnected"})
      .expect_status("connected", false)
      .accepts_link();
  s.logs_in(kPassword)
      // A command the switcher hangs up on is sent again after the reconnect, before the
      // login's own verbose command.
      .exec("switch_to", {3})
      .should_send("3!")
      .drops_link()
      .expect_pending()
      .accepts_link()
      .responds(kBanner + kPrompt)
      .should_send(std::string(kPassword) + "\r")
      .responds("\r\nLogin Administrator\r\n")
      .should_send("3!")
      .responds("In3 All\r\n")
      .expect_result(3)
      .expect_status("input", 3)
      .should_send(kVerbose)
      .responds("Vrb3\r\n")
      // Front-panel reports are read on the new connection.
      .responds("Out2 In4 All\r\n")
      .expect_status("ties", Json{{"1", ties_of(3, 3)},
                                  {"2", ties_of(4, 4)},
                                  {"3", ties_of(3, 3)},
                                  {"4", ties_of(3, 3)}});
  CHECK(s.logged(LogLevel::info, "logged in as Administrator").size() == 3);
  CHECK(s.module->run_state() == ModuleRunState::running);
}

TEST_CASE("extron_sis: garbage from the switcher is logged and skipped", "[extron][driver]") {
  Switcher s;
  s.online();
  SECTION("an unsolicited garbage line") {
    s.responds("\xff\xfe junk\r\n")
        .expect_log(LogLevel::warn, {"not an SIS answer", "\\xFF\\xFE junk"});
  }
  SECTION("an answer preceded by a garbage line") {
    s.exec("tie", {6, 1})
        .should_send("6*1!")
        .responds("\x93\xa7\xc1\r\nOut1 In6 All\r\n")
        .expect_result(ties_of(6, 6))
        .exec("volume", {70})
        .should_send("70V")
        .responds("\xfe\r\nVol70\r\n")
        .expect_result(70)
        .exec("firmware?")
        .should_send("Q")
        .responds("\x80\x81\r\n1.02\r\n")
        .expect_result("1.02");
    CHECK(s.logged(LogLevel::warn, "not an SIS answer").size() == 3);
  }
  SECTION("an overlong line") {
    s.responds(std::string(2000, 'x') + "\r\n").expect_log(LogLevel::warn, {"dropped"});
  }
  s.exec("mute", {true}).should_send("1Z").responds("Amt1\r\n").expect_result(true);
  CHECK(s.line.reconnects() == 0);
  CHECK(s.logged(LogLevel::error).empty());
}

TEST_CASE("extron_sis: a switcher that does not answer fails the method after the timeout",
          "[extron][driver]") {
  Switcher s(Json{{"timeout", "20ms"}});
  s.online()
      .exec("tie", {1, 1})
      .should_send("1*1!")
      .should_resend("1*1!")
      .should_resend("1*1!")
      .wait_for_completion()
      .expect_error({"no reply", "within 20ms", "3 attempts"})
      .sends_nothing();
  CHECK(s.module->run_state() == ModuleRunState::running);
}

TEST_CASE("extron_sis: RS-232: no banner, online after login_wait", "[extron][driver]") {
  Switcher s(Json{{"login_wait", "200ms"}});
  s.sends_nothing().expect_status("connected", false);
  s.online()
      .expect_log(LogLevel::info, {"no banner or password prompt"})
      .expect_status("device", nullptr)
      .exec("tie", {2, 3, "video"})
      .should_send("2*3%")
      .responds("Out3 In2 Vid\r\n")
      .expect_result(Json{{"video", 2}});
}
