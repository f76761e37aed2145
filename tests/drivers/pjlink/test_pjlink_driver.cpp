// The PJLink driver as transcripts on a fake line, in order and byte for byte: greeting and
// authentication, every method with the bytes it sends and the status it publishes, ERR
// answers and unexpected values as readable method errors, reconnects, garbage, oversize
// frames and a projector that does not answer.
#include "drivers/pjlink/pjlink_auth.hpp"
#include "tests/support/transcript.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace roomd;

namespace {

constexpr const char* kPassword = "JBMIAProjectorLink";
constexpr const char* kChallenge = "498e4a67";  // the PJLink specification's example

const Json kVideoOnly = {{"video", true}, {"audio", false}};
const Json kUnmuted = {{"video", false}, {"audio", false}};

struct Projector : test::Transcript {
  explicit Projector(Json settings = Json::object()) : Transcript("pjlink", settings) {}

  // Greeted without a password and polled once: the projector is in standby.
  Transcript& online_in_standby() {
    return responds("PJLINK 0\r")
        .should_send("%1POWR ?\r")
        .responds("%1POWR=0\r")
        .expect_status("power_state", "standby");
  }

  // Online, turned on, and asked until it reports on.
  Transcript& online_and_on() {
    return online_in_standby()
        .exec("power", {true})
        .should_send("%1POWR 1\r")
        .responds("%1POWR=OK\r")
        .exec("power?")
        .should_send("%1POWR ?\r")
        .responds("%1POWR=1\r")
        .expect_status("power_state", "on");
  }
};

}  // namespace

TEST_CASE("without a password the driver goes online and polls power only", "[pjlink][driver]") {
  Projector p;
  // The queue waits for the greeting.
  p.sends_nothing().expect_status("connected", false);
  p.online_in_standby()
      .expect_status("power", false)
      .expect_status("connected", true)
      // Standby: input and mute are not polled (they would only answer ERR3).
      .sends_nothing();
  CHECK(p.logged(LogLevel::warn).empty());
  CHECK(p.module->run_state() == ModuleRunState::running);
}

TEST_CASE("with the right password the digest rides on the first command", "[pjlink][driver]") {
  Projector p(Json{{"password", kPassword}});
  p.responds(std::string("PJLINK 1 ") + kChallenge + "\r")
      .should_send("5d8409bc1c3fa39749434aa3a5c38682%1POWR ?\r")
      .responds("%1POWR=0\r")
      .expect_status("power_state", "standby")
      .expect_status("connected", true)
      // The answer to the POWR ? the digest rode on is the poll's: in standby nothing follows,
      // and POWR ? is not asked a second time.
      .sends_nothing()
      // Authenticated: later commands go without digest.
      .exec("name?")
      .should_send("%1NAME ?\r")
      .responds("%1NAME=Room 101 Projector\r")
      .expect_result("Room 101 Projector")
      .expect_status("name", "Room 101 Projector");
  CHECK(p.logged(LogLevel::info, "authenticated").size() == 1);
  CHECK(p.logged(LogLevel::error).empty());
}

TEST_CASE("with a password a projector that is on is asked for input and mute once, in order",
          "[pjlink][driver]") {
  Projector p(Json{{"password", kPassword}});
  p.responds(std::string("PJLINK 1 ") + kChallenge + "\r")
      .should_send("5d8409bc1c3fa39749434aa3a5c38682%1POWR ?\r")
      .responds("%1POWR=1\r")
      .expect_status("power_state", "on")
      .should_send("%1INPT ?\r")
      .responds("%1INPT=31\r")
      .should_send("%1AVMT ?\r")
      .responds("%1AVMT=30\r")
      .expect_status("input", "digital1")
      .expect_status("mute", kUnmuted)
      .sends_nothing();
  CHECK(p.line.written() == "5d8409bc1c3fa39749434aa3a5c38682%1POWR ?\r%1INPT ?\r%1AVMT ?\r");
}

TEST_CASE("a wrong password is logged without the password and never goes online",
          "[pjlink][driver]") {
  const std::string wrong = "not-the-right-one-42";
  Projector p(Json{{"password", wrong}});
  p.responds(std::string("PJLINK 1 ") + kChallenge + "\r")
      .should_send(pjlink::pjlink_digest(kChallenge, wrong) + "%1POWR ?\r")
      .responds("PJLINK ERRA\r")
      .expect_log(LogLevel::error, {"refused the password", "settings.password", "mod-test"})
      .expect_status("power_state", nullptr);
  // Neither password appears in any record, at any level (trace shows the bytes sent).
  for (const auto& r : p.records) {
    CHECK_THAT(r.message, !Catch::Contains(wrong));
    CHECK_THAT(r.message, !Catch::Contains(kPassword));
  }
  CHECK(p.state("connected") != Json(true));
  CHECK(p.module->run_state() == ModuleRunState::running);
}

TEST_CASE("a projector that wants a password when none is set says so", "[pjlink][driver]") {
  Projector p;
  p.responds(std::string("PJLINK 1 ") + kChallenge + "\r")
      .sends_nothing()
      .expect_log(LogLevel::error,
                  {"requires a PJLink password", "settings.password of module mod-test"})
      .expect_status("connected", false);
  CHECK(p.module->run_state() == ModuleRunState::running);
}

TEST_CASE("transcript: power, input, mute, errors, lamp, name, power off", "[pjlink][driver]") {
  Projector p;
  p.online_in_standby()
      .exec("power", {true})
      .should_send("%1POWR 1\r")
      .responds("%1POWR=OK\r")
      .expect_result(true)
      .expect_status("power", true)
      .expect_status("power_state", "warming")
      .exec("power?")
      .should_send("%1POWR ?\r")
      .responds("%1POWR=1\r")
      .expect_result(true)
      .expect_status("power_state", "on")

      .exec("switch_to", {"digital2"})
      .should_send("%1INPT 32\r")
      .responds("%1INPT=OK\r")
      .expect_result("digital2")
      .expect_status("input", "digital2")
      // A two-digit PJLink code works too and is reported by name.
      .exec("switch_to", {"51"})
      .should_send("%1INPT 51\r")
      .responds("%1INPT=OK\r")
      .expect_result("network1")
      .expect_status("input", "network1")

      .exec("mute", {"video", true})
      .should_send("%1AVMT 11\r")
      .responds("%1AVMT=OK\r")
      .expect_result(kVideoOnly)
      .expect_status("mute", kVideoOnly)
      .exec("input?")
      .should_send("%1INPT ?\r")
      .responds("%1INPT=51\r")
      .expect_result("network1")
      .exec("mute?")
      .should_send("%1AVMT ?\r")
      .responds("%1AVMT=11\r")
      .expect_result(kVideoOnly)
      .exec("mute", {{"what", "both"}, {"on", false}})
      .should_send("%1AVMT 30\r")
      .responds("%1AVMT=OK\r")
      .expect_status("mute", kUnmuted);

  const Json errors = {{"fan", "ok"},   {"lamp", "warning"}, {"temperature", "ok"},
                       {"cover", "ok"}, {"filter", "ok"},    {"other", "error"}};
  p.exec("errors?")
      .should_send("%1ERST ?\r")
      .responds("%1ERST=010002\r")
      .expect_result(errors)
      .expect_status("errors", errors)
      .exec("lamp_hours?")
      .should_send("%1LAMP ?\r")
      .responds("%1LAMP=1234 1\r")
      .expect_result(1234)
      .expect_status("lamp_hours", 1234)
      .exec("name?")
      .should_send("%1NAME ?\r")
      .responds("%1NAME=Room 101 Projector\r")
      .expect_result("Room 101 Projector")

      .exec("power", {false})
      .should_send("%1POWR 0\r")
      .responds("%1POWR=OK\r")
      .expect_result(false)
      .expect_status("power", false)
      .expect_status("power_state", "cooling")
      .exec("power?")
      .should_send("%1POWR ?\r")
      .responds("%1POWR=0\r")
      .expect_result(false)
      .expect_status("power_state", "standby")
      .sends_nothing();
  CHECK(p.logged(LogLevel::warn).empty());
}

TEST_CASE("after a reconnect the poll asks for power, then input and mute when on",
          "[pjlink][driver]") {
  Projector p;
  p.online_and_on()
      .drops_link()
      .expect_status("connected", false)
      .expect_log(LogLevel::warn, {"disconnected from"})
      // A power off made while the projector is away waits for the link.
      .exec("power", {false})
      .sends_nothing()
      .expect_pending()
      .accepts_link()
      .responds("PJLINK 0\r")
      .should_send("%1POWR 0\r")
      .responds("%1POWR=OK\r")
      .expect_result(false)
      .should_send("%1POWR ?\r")
      .responds("%1POWR=2\r")
      .expect_status("power_state", "cooling")
      .sends_nothing()
      .drops_link()
      .accepts_link()
      .responds("PJLINK 0\r")
      .should_send("%1POWR ?\r")
      .responds("%1POWR=1\r")
      .should_send("%1INPT ?\r")
      .responds("%1INPT=11\r")
      .should_send("%1AVMT ?\r")
      .responds("%1AVMT=30\r")
      .expect_status("input", "rgb1")
      .expect_status("mute", kUnmuted)
      .expect_status("connected", true);
  CHECK(p.module->run_state() == ModuleRunState::running);
}

TEST_CASE("ERR answers become method errors with readable text", "[pjlink][driver]") {
  Projector p;
  p.online_in_standby();

  SECTION("ERR3 in standby, sent once: an ERR is an answer, not a reason to retry") {
    p.exec("switch_to", {"digital2"})
        .should_send("%1INPT 32\r")
        .responds("%1INPT=ERR3\r")
        .expect_error({"mod-test", "INPT=ERR3", "unavailable time"})
        .expect_status("input", nullptr)
        .sends_nothing();
  }

  SECTION("ERR2 for an input the projector does not have") {
    p.exec("switch_to", {"rgb9"})
        .should_send("%1INPT 19\r")
        .responds("%1INPT=ERR2\r")
        .expect_error({"INPT=ERR2", "out of parameter"});
  }

  SECTION("an input name the driver does not know is refused before sending") {
    p.exec("switch_to", {"hdmi7"})
        .expect_error({"switch_to(input: string)", "unknown input \"hdmi7\"", "rgb1-9",
                       "digital1-9", "network1-9"})
        .sends_nothing();
  }

  SECTION("ERR4 when a lamp failure keeps the projector from striking") {
    p.exec("power", {true})
        .should_send("%1POWR 1\r")
        .responds("%1POWR=ERR4\r")
        .expect_error({"POWR=ERR4", "projector/display failure"})
        .expect_status("power", false)
        .expect_status("power_state", "standby");
  }

  SECTION("input and mute queries in standby answer ERR3") {
    p.exec("input?")
        .should_send("%1INPT ?\r")
        .responds("%1INPT=ERR3\r")
        .expect_error({"INPT=ERR3"});
    p.exec("mute?").should_send("%1AVMT ?\r").responds("%1AVMT=ERR3\r").expect_error({"AVMT=ERR3"});
  }

  SECTION("mute with an unknown target") {
    p.exec("mute", {"picture", true})
        .expect_error({"what must be video, audio or both", "\"picture\""})
        .sends_nothing();
  }

  SECTION("an ERR with no command of that kind pending is only logged") {
    p.responds("%1LAMP=ERR1\r").expect_log(LogLevel::warn, {"LAMP=ERR1", "no command"});
  }

  // The module is fine after every refusal.
  p.exec("power?").should_send("%1POWR ?\r").responds("%1POWR=0\r").expect_result(false);
}

TEST_CASE("a value the method cannot read is a method error that says what came",
          "[pjlink][driver]") {
  Projector p;
  p.online_in_standby();

  SECTION("a power state out of range") {
    p.exec("power?")
        .should_send("%1POWR ?\r")
        .responds("%1POWR=7\r")
        .expect_error({"mod-test", "answered POWR=7", "to power?", "%1POWR ?", "expected 0-3"})
        .expect_status("power_state", "standby");
  }

  SECTION("OK where a query expects a value") {
    p.exec("lamp_hours?")
        .should_send("%1LAMP ?\r")
        .responds("%1LAMP=OK\r")
        .expect_error({"answered LAMP=OK", "to lamp?", "expected lamp hours"});
  }

  SECTION("lamp hours that are not a number") {
    p.exec("lamp_hours?")
        .should_send("%1LAMP ?\r")
        .responds("%1LAMP=abc 1\r")
        .expect_error({"answered LAMP=abc 1", "expected lamp hours"})
        .expect_status("lamp_hours", nullptr);
  }

  SECTION("an input code out of range, and error digits out of range") {
    p.exec("input?")
        .should_send("%1INPT ?\r")
        .responds("%1INPT=9Z\r")
        .expect_error({"answered INPT=9Z", "expected an input code"})
        .exec("errors?")
        .should_send("%1ERST ?\r")
        .responds("%1ERST=0x0000\r")
        .expect_error({"answered ERST=0x0000", "expected six digits"});
  }

  CHECK_THAT(p.error(), !Catch::Contains("type must be") && !Catch::Contains("json"));
  p.exec("power?").should_send("%1POWR ?\r").responds("%1POWR=0\r").expect_result(false);
}

TEST_CASE("lamp hours too long for an int are ignored, not overflowed", "[pjlink][driver]") {
  // What the fuzzer found (tests/fuzz/regressions/pjlink holds the inputs).
  Projector p;
  p.online_in_standby()
      .responds("%1LAMP=99999999999 1\r")
      .expect_status("lamp_hours", nullptr)
      .responds("%1LAMP=-5 1\r")
      .expect_status("lamp_hours", nullptr)
      .responds("%1LAMP=12345 1 678 0\r")
      .expect_status("lamp_hours", 12345);
}

TEST_CASE("power off while warming up is refused with ERR3", "[pjlink][driver]") {
  Projector p;
  p.online_in_standby()
      .exec("power", {true})
      .should_send("%1POWR 1\r")
      .responds("%1POWR=OK\r")
      .expect_status("power_state", "warming")
      .exec("power", {false})
      .should_send("%1POWR 0\r")
      .responds("%1POWR=ERR3\r")
      .expect_error({"POWR=ERR3", "warming up"})
      // The refused command did not publish its optimistic status.
      .expect_status("power", true)
      .expect_status("power_state", "warming");
}

TEST_CASE("power to the state the projector is already in keeps power_state", "[pjlink][driver]") {
  Projector p;
  p.online_in_standby()
      .exec("power", {false})
      .should_send("%1POWR 0\r")
      .responds("%1POWR=OK\r")
      .expect_status("power_state", "standby")
      .expect_status("power", false);
  p.online_and_on()
      .exec("power", {true})
      .should_send("%1POWR 1\r")
      .responds("%1POWR=OK\r")
      .expect_status("power_state", "on")
      .expect_status("power", true);
}

TEST_CASE("garbage from the projector is logged and ignored", "[pjlink][driver]") {
  Projector p;
  p.online_in_standby()
      .responds("\xff\xfe garbage\r")
      .expect_log(LogLevel::warn, {"not PJLink", "garbage"})
      // Every answer preceded by high bytes, as a noisy line would.
      .exec("power?")
      .should_send("%1POWR ?\r")
      .responds("\x80\x9f\xc3\r%1POWR=0\r")
      .expect_result(false)
      .exec("name?")
      .should_send("%1NAME ?\r")
      .responds("%1NAME=Room 101 Projector\r")
      .expect_result("Room 101 Projector")
      .expect_status("connected", true);
  CHECK(p.logged(LogLevel::error).empty());
}

TEST_CASE("an oversize frame is dropped and the driver keeps working", "[pjlink][driver]") {
  SECTION("junk ended by CR") {
    Projector p;
    p.online_in_standby()
        .responds(std::string(2000, 'x'))
        .expect_log(LogLevel::warn, {"dropped"})
        .responds("\r")
        .exec("name?")
        .should_send("%1NAME ?\r")
        .responds("%1NAME=Room 101 Projector\r")
        .expect_result("Room 101 Projector")
        .sends_nothing();
  }

  SECTION("junk without CR swallows the next answer; the retry recovers") {
    Projector p(Json{{"timeout", "20ms"}});
    p.online_in_standby()
        .responds(std::string(2000, 'x'))
        .expect_log(LogLevel::warn, {"dropped"})
        .exec("name?")
        .should_send("%1NAME ?\r")
        .responds("%1NAME=Room 101 Projector\r")
        .expect_pending()
        .should_resend("%1NAME ?\r")
        .responds("%1NAME=Room 101 Projector\r")
        .expect_result("Room 101 Projector");
  }
}

TEST_CASE("a projector that does not answer fails the method after three attempts",
          "[pjlink][driver]") {
  Projector p(Json{{"timeout", "20ms"}});
  p.online_in_standby()
      .exec("power", {true})
      .should_send("%1POWR 1\r")
      .should_resend("%1POWR 1\r")
      .should_resend("%1POWR 1\r")
      .wait_for_completion()
      .expect_error({"no reply to 'power'", "within 20ms", "3 attempts"})
      .expect_status("power", false)
      .sends_nothing();
  CHECK(p.module->run_state() == ModuleRunState::running);
  p.exec("power", {true}).should_send("%1POWR 1\r").responds("%1POWR=OK\r").expect_result(true);
}

TEST_CASE("ERST polls raise lamp and filter alerts and an all-clear answer clears them",
          "[pjlink][driver][alerts]") {
  Projector p(Json{{"errors_every", "50ms"}});
  p.online_in_standby()
      .should_send_later("%1ERST ?\r")
      .responds("%1ERST=020010\r")
      .expect_alert("lamp", AlertSeverity::high, "replace the lamp")
      .expect_alert("filter", AlertSeverity::medium, "clean or replace the filter")
      .expect_no_alert("fan")
      .expect_no_alert("other")
      // The filter's warning became an error: the same alert at its new severity.
      .should_send_later("%1ERST ?\r")
      .responds("%1ERST=020020\r")
      .expect_alert("lamp", AlertSeverity::high)
      .expect_alert("filter", AlertSeverity::high, "filter error")
      .should_send_later("%1ERST ?\r")
      .responds("%1ERST=000000\r")
      .expect_no_alert("lamp")
      .expect_no_alert("filter");
  CHECK(p.alerts.active().empty());
}

TEST_CASE("errors? answers raise alerts too, warnings at medium", "[pjlink][driver][alerts]") {
  Projector p;
  p.online_in_standby()
      .exec("errors?")
      .should_send("%1ERST ?\r")
      .responds("%1ERST=100100\r")
      .expect_alert("fan", AlertSeverity::medium, "fan warning")
      .expect_alert("cover", AlertSeverity::medium, "cover warning")
      .exec("errors?")
      .should_send("%1ERST ?\r")
      .responds("%1ERST=000100\r")
      .expect_no_alert("fan")
      .expect_alert("cover", AlertSeverity::medium);
}
