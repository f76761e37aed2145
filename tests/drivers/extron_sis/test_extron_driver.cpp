// The Extron SIS driver as transcripts on a fake line, in order and byte for byte: the login
// flows, every method with the answer it waits for, zero-padded answers, front-panel ties
// arriving unsolicited, and E-codes as readable errors.
#include "tests/drivers/extron_sis/switcher.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test::extron_sis;

TEST_CASE("extron_sis: no password asked: online after the banner, verbose mode 3 set",
          "[extron][driver]") {
  Switcher s(Json{{"login_wait", "2s"}});
  // The banner says who it is; no prompt follows it, so the driver goes online after a grace.
  s.responds(kBanner)
      .expect_status("connected", false)
      .sends_nothing()
      .should_send_later(kVerbose)
      .responds("Vrb3\r\n")
      .expect_status("connected", true)
      .expect_status("device",
                     "(c) Copyright 2020, Extron Electronics, DXP 88 HDMI, V1.02, 60-1234-01")
      .expect_log(LogLevel::info, {"online: the switcher asks for no password"})
      .sends_nothing();
  CHECK(s.logged(LogLevel::warn).empty());
}

TEST_CASE("extron_sis: password accepted: the password, then verbose mode", "[extron][driver]") {
  Switcher s(Json{{"password", kPassword}, {"login_wait", "2s"}});
  s.logs_in(kPassword)
      .expect_log(LogLevel::info, {"logged in as Administrator"})
      .exec("mute", {true})
      .should_send("1Z")
      .responds("Amt1\r\n")
      .expect_result(true);
  CHECK(s.logged(LogLevel::info, "logged in as Administrator").size() == 1);
  CHECK(s.logged(LogLevel::warn).empty());
  // The password never appears in a log record, not even in the trace of raw writes.
  for (const auto& r : s.records) CHECK_THAT(r.message, !Catch::Contains(kPassword));
  CHECK(s.logged(LogLevel::trace, "-> <").size() == 1);
}

TEST_CASE("extron_sis: password accepted at user level", "[extron][driver]") {
  Switcher s(Json{{"password", "user-pw"}, {"login_wait", "2s"}});
  s.logs_in("user-pw", "User").expect_log(LogLevel::info, {"logged in as User", "may answer E24"});
}

TEST_CASE("extron_sis: a refused password is a clear error naming settings.password",
          "[extron][driver]") {
  const std::string wrong = "not-the-password-42";
  Switcher s(Json{{"password", wrong}, {"login_wait", "2s"}});
  s.responds(kBanner + kPrompt).should_send(wrong + "\r");
  SECTION("the switcher asks again") {
    s.responds(kPrompt).expect_log(LogLevel::error, {"it asked for the password again"});
  }
  SECTION("the switcher answers E10") {
    s.responds("\r\nE10\r\n").expect_log(LogLevel::error, {"it answered E10"});
  }
  // Whatever comes next, the driver does not send the wrong password again.
  s.responds(kPrompt).sends_nothing();
  auto errors = s.logged(LogLevel::error, "refused the password");
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors.front(), Catch::Contains("settings.password of module mod-test"));
  for (const auto& r : s.records) CHECK_THAT(r.message, !Catch::Contains(wrong));
  // A method called now fails at once with the reason instead of waiting.
  s.expect_status("connected", false)
      .exec("mute", {true})
      .expect_error({"mod-test", "not logged in", "settings.password"})
      .sends_nothing();
  CHECK(s.module->run_state() == ModuleRunState::running);
}

TEST_CASE("extron_sis: a switcher that asks for a password when none is set says so",
          "[extron][driver]") {
  Switcher s(Json{{"login_wait", "2s"}});
  s.responds(kBanner + kPrompt)
      .expect_log(LogLevel::error,
                  {"asks for a password", "set settings.password of module mod-test"})
      .sends_nothing()
      .expect_status("connected", false);
}

TEST_CASE("extron_sis: transcript: tie, switch_to, volume, mutes, firmware", "[extron][driver]") {
  Switcher s;
  const Json all_five = {
      {"1", ties_of(5, 5)}, {"2", ties_of(5, 5)}, {"3", ties_of(5, 5)}, {"4", ties_of(5, 5)}};
  s.online()
      .exec("tie", {1, 2})
      .should_send("1*2!")
      .responds("Out2 In1 All\r\n")
      .expect_result(ties_of(1, 1))
      .exec("tie", Json{{"input", 3}, {"output", 2}, {"layer", "video"}})
      .should_send("3*2%")
      .responds("Out2 In3 Vid\r\n")
      .expect_result(ties_of(3, 1))
      .exec("tie", {4, 2, "audio"})
      .should_send("4*2$")
      .responds("Out2 In4 Aud\r\n")
      .expect_result(ties_of(3, 4))
      .expect_status("ties", Json{{"2", ties_of(3, 4)}})
      .exec("tie", {0, 1})  // untie
      .should_send("0*1!")
      .responds("Out1 In0 All\r\n")
      .expect_result(ties_of(0, 0))
      .exec("switch_to", {5})
      .should_send("5!")
      .responds("In5 All\r\n")
      .expect_result(5)
      .expect_status("input", 5)
      .expect_status("ties", all_five)
      .exec("volume", {40})
      .should_send("40V")
      .responds("Vol40\r\n")
      .expect_result(40)
      .expect_status("volume", 40)
      .exec("mute", {true})
      .should_send("1Z")
      .responds("Amt1\r\n")
      .expect_result(true)
      .expect_status("mute", true)
      .expect_status("audio_mute", true)
      .exec("audio_mute", {false})
      .should_send("0Z")
      .responds("Amt0\r\n")
      .expect_result(false)
      .expect_status("mute", false)
      .exec("video_mute", {true})
      .should_send("1B")
      .responds("Vmt1\r\n")
      .expect_result(true)
      .expect_status("video_mute", true)
      .exec("video_mute", {false})
      .should_send("0B")
      .responds("Vmt0\r\n")
      .expect_status("video_mute", false)
      .exec("firmware?")
      .should_send("Q")
      .responds("1.02\r\n")
      .expect_result("1.02")
      .expect_status("firmware", "1.02")
      .sends_nothing();
  CHECK(s.logged(LogLevel::warn).empty());
}

TEST_CASE("extron_sis: volume 0-100 maps onto the device range", "[extron][driver]") {
  Switcher s(Json{{"volume_max", 64}});
  s.online()
      .exec("volume", {50})
      .should_send("32V")
      .responds("Vol32\r\n")
      .expect_result(50)
      .exec("volume", {100})
      .should_send("64V")
      .responds("Vol64\r\n")
      .expect_result(100)
      .exec("volume", {0})
      .should_send("0V")
      .responds("Vol0\r\n")
      .expect_result(0)
      // A zero-padded report from the front panel knob.
      .responds("Vol048\r\n")
      .expect_status("volume", 75);
}

TEST_CASE("extron_sis: zero-padded answers are understood", "[extron][driver]") {
  Switcher s;
  s.online()
      .exec("tie", {1, 2})
      .should_send("1*2!")
      .responds("Out02 In01 All\r\n")
      .expect_result(ties_of(1, 1))
      .exec("tie", {7, 3, "video"})
      .should_send("7*3%")
      .responds("Out03 In07 Vid\r\n")
      .expect_result(Json{{"video", 7}})
      .exec("switch_to", {2})
      .should_send("2!")
      .responds("In02 All\r\n")
      .expect_result(2)
      .expect_status("ties", Json{{"1", ties_of(2, 2)},
                                  {"2", ties_of(2, 2)},
                                  {"3", ties_of(2, 2)},
                                  {"4", ties_of(2, 2)}});
  CHECK(s.logged(LogLevel::warn).empty());
}

TEST_CASE("extron_sis: front-panel ties arrive unsolicited and update the tie map",
          "[extron][driver]") {
  Switcher s;
  s.online()
      .responds("Out3 In2 All\r\n")
      .expect_status("ties", Json{{"3", ties_of(2, 2)}})
      .responds("Out03 In06 Aud\r\n")
      .expect_status("ties", Json{{"3", ties_of(2, 6)}})
      .responds("Out1 In4 RGB\r\n")  // an RGB tie is the video layer
      .expect_status("ties", Json{{"1", Json{{"video", 4}}}, {"3", ties_of(2, 6)}})
      .expect_log(LogLevel::info, {"tie changed on the switcher: Out1 In4 RGB"})
      // One arriving while a tie of another output waits for its answer does not complete it.
      .exec("tie", {1, 4})
      .should_send("1*4!")
      .responds("Out2 In5 All\r\n")
      .expect_pending()
      .expect_status("ties",
                     Json{{"1", Json{{"video", 4}}}, {"2", ties_of(5, 5)}, {"3", ties_of(2, 6)}})
      .responds("Out4 In1 All\r\n")
      .expect_result(ties_of(1, 1))
      .sends_nothing();
  CHECK(s.logged(LogLevel::warn).empty());
}

TEST_CASE("extron_sis: E-codes become readable method errors", "[extron][driver]") {
  Switcher s;
  s.online();
  SECTION("E01 for an input the switcher does not have: an answer, not a reason to retry") {
    s.exec("tie", {9, 1})
        .should_send("9*1!")
        .responds("E01\r\n")
        .expect_error({"mod-test", "E01", "invalid input number", "9*1!"})
        .sends_nothing();
  }
  SECTION("E12 for an output the switcher does not have") {
    s.exec("tie", {1, 5, "video"})
        .should_send("1*5%")
        .responds("E12\r\n")
        .expect_error({"E12", "invalid output number"});
  }
  SECTION("E13 for a volume beyond the device range") {
    // volume_max left at 100 for a switcher whose range ends at 64.
    s.exec("volume", {100})
        .should_send("100V")
        .responds("E13\r\n")
        .expect_error({"E13", "out of range", "100V"})
        .expect_status("volume", nullptr);
  }
  SECTION("E24 privilege violation") {
    s.exec("video_mute", {true})
        .should_send("1B")
        .responds("E24\r\n")
        .expect_error({"E24", "privilege violation", "administrator password"});
  }
  SECTION("E22 busy is retried") {
    s.exec("mute", {true})
        .should_send("1Z")
        .responds("E22\r\n")
        .should_send("1Z")
        .responds("E22\r\n")
        .should_send("1Z")
        .responds("E22\r\n")
        .expect_error({"retry", "3 attempts"})
        .sends_nothing();
  }
  SECTION("an E-code with nothing pending is only logged") {
    s.responds("E17\r\n").expect_log(LogLevel::warn, {"reported E17", "no command pending"});
  }
  SECTION("bad arguments are refused before sending") {
    s.exec("tie", {1, 2, "both"})
        .expect_error({"layer must be all, video or audio"})
        .exec("volume", {101})
        .expect_error({"volume(level: integer)", "argument 'level' must be from 0 to 100, got 101"})
        .exec("tie", {1, 0})
        .expect_error({"argument 'output' must be from 1 to 999, got 0"})
        .exec("switch_to", {1000})
        .expect_error({"argument 'input' must be from 0 to 999, got 1000"})
        .sends_nothing();
  }
  // The switcher takes commands again.
  s.exec("switch_to", {1}).should_send("1!").responds("In1 All\r\n").expect_result(1);
  CHECK(s.module->run_state() == ModuleRunState::running);
}
