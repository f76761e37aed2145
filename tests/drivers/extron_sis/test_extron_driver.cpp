// The Extron SIS driver inside a real runtime, against the simulator: the login flows, a
// byte-exact transcript of every method, zero-padded answers, front-panel ties arriving
// unsolicited, E-codes as readable errors, keep-alive, reconnects, garbage, and RS-232 on a pty.
#include "tests/drivers/extron_sis/switcher_fixture.hpp"

using namespace roomd;
using namespace roomd::test::extron_sis;

TEST_CASE("extron_sis: parse_tie reads plain and zero-padded tie answers", "[extron][driver]") {
  auto t = ex::parse_tie("Out02 In01 All");
  REQUIRE(t);
  CHECK(t->output == 2);
  CHECK(t->input == 1);
  CHECK(t->layer == '!');
  t = ex::parse_tie("Out2 In10 Vid");
  REQUIRE(t);
  CHECK(t->input == 10);
  CHECK(t->layer == '%');
  t = ex::parse_tie("In3 Aud");
  REQUIRE(t);
  CHECK_FALSE(t->output);
  CHECK(t->layer == '$');
  CHECK(ex::parse_tie("Out01In02RGB"));
  CHECK_FALSE(ex::parse_tie("Out2 In1 Foo"));
  CHECK_FALSE(ex::parse_tie("Out In1 All"));
  CHECK_FALSE(ex::parse_tie("In1 All trailing"));
  CHECK_FALSE(ex::parse_tie("\xff\xfe"));
  CHECK_THAT(ex::error_meaning("E01"), Catch::Contains("invalid input number"));
  CHECK_THAT(ex::error_meaning("E99"), Catch::Contains("E99"));
}

TEST_CASE("extron_sis: no password asked: online after the banner, verbose mode 3 set",
          "[extron][driver]") {
  Switcher s;
  s.require_online();
  CHECK(s.simulator.received() == std::vector<std::string>{kVerbose});
  CHECK_THAT(s.state("device").get<std::string>(),
             Catch::StartsWith("(c) Copyright 2020, Extron Electronics, DXP 88 HDMI"));
  CHECK_FALSE(s.logged(LogLevel::info, "asks for no password").empty());
  CHECK(s.logged(LogLevel::warn, "").empty());
  CHECK(s.connected_true == 1);
}

TEST_CASE("extron_sis: password accepted: the password, then verbose mode", "[extron][driver]") {
  Options o;
  o.sim.password = kPassword;
  o.settings["password"] = kPassword;
  Switcher s(o);
  s.require_online();
  CHECK(s.simulator.received() ==
        std::vector<std::string>{std::string(kPassword) + "\r", kVerbose});
  CHECK(s.logged(LogLevel::info, "logged in as Administrator").size() == 1);
  CHECK(s.logged(LogLevel::warn, "").empty());
  // The password never appears in a log record, not even in the trace of raw writes.
  for (const auto& r : s.records) CHECK_THAT(r.message, !Catch::Contains(kPassword));
  CHECK(s.logged(LogLevel::trace, "-> <").size() == 1);
  auto value = s.transcript("mute", Json::array({true}), "1Z");
  CHECK(value == true);
}

TEST_CASE("extron_sis: password accepted at user level", "[extron][driver]") {
  Options o;
  o.sim.password = "admin-pw";
  o.sim.user_password = "user-pw";
  o.settings["password"] = "user-pw";
  Switcher s(o);
  s.require_online();
  CHECK_FALSE(s.logged(LogLevel::info, "logged in as User").empty());
  CHECK(s.simulator.received() == std::vector<std::string>{"user-pw\r", kVerbose});
}

TEST_CASE("extron_sis: a refused password is a clear error naming settings.password",
          "[extron][driver]") {
  const std::string wrong = "not-the-password-42";
  Options o;
  o.sim.password = kPassword;
  o.settings["password"] = wrong;
  SECTION("the switcher asks again") {}
  SECTION("the switcher answers E10") {
    o.sim.refuse_with_e10 = true;
  }
  Switcher s(o);
  REQUIRE(test::run_until(
      s.io, [&] { return !s.logged(LogLevel::error, "refused the password").empty(); }));
  // Let anything else arrive: the driver must not keep sending the wrong password.
  s.io.run_for(100ms);
  CHECK(s.simulator.received() == std::vector<std::string>{wrong + "\r"});
  auto errors = s.logged(LogLevel::error, "refused the password");
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors.front(), Catch::Contains("settings.password of module mod-sw"));
  for (const auto& r : s.records) {
    CHECK_THAT(r.message, !Catch::Contains(wrong));
    CHECK_THAT(r.message, !Catch::Contains(kPassword));
  }
  CHECK_FALSE(s.connected());
  CHECK(s.connected_true == 0);
  // A method called now fails at once with the reason instead of waiting.
  auto [value, error] = s.exec("mute", Json::array({true}));
  CHECK_THAT(error, Catch::Contains("mod-sw") && Catch::Contains("settings.password"));
  CHECK(s.simulator.received() == std::vector<std::string>{wrong + "\r"});
  CHECK(s.module().run_state() == ModuleRunState::running);
}

TEST_CASE("extron_sis: a switcher that asks for a password when none is set says so",
          "[extron][driver]") {
  Options o;
  o.sim.password = kPassword;
  Switcher s(o);
  REQUIRE(test::run_until(
      s.io, [&] { return !s.logged(LogLevel::error, "asks for a password").empty(); }));
  CHECK_THAT(s.logged(LogLevel::error, "asks for a password").front(),
             Catch::Contains("set settings.password of module mod-sw"));
  CHECK(s.simulator.received().empty());
  CHECK_FALSE(s.connected());
}

TEST_CASE("extron_sis: transcript: tie, switch_to, volume, mutes, firmware", "[extron][driver]") {
  Switcher s;
  s.require_online();

  auto value = s.transcript("tie", Json::array({1, 2}), "1*2!");
  CHECK(value == ties_of(1, 1));
  CHECK(s.state("ties")["2"] == ties_of(1, 1));
  CHECK(s.simulator.device().video_tie(2) == 1);

  value = s.transcript("tie", {{"input", 3}, {"output", 2}, {"layer", "video"}}, "3*2%");
  CHECK(value == ties_of(3, 1));
  CHECK(s.simulator.device().video_tie(2) == 3);

  value = s.transcript("tie", Json::array({4, 2, "audio"}), "4*2$");
  CHECK(value == ties_of(3, 4));
  CHECK(s.state("ties")["2"] == ties_of(3, 4));
  CHECK(s.simulator.device().audio_tie(2) == 4);

  value = s.transcript("tie", Json::array({0, 1}), "0*1!");  // untie
  CHECK(value == ties_of(0, 0));

  value = s.transcript("switch_to", Json::array({5}), "5!");
  CHECK(value == 5);
  CHECK(s.state("input") == 5);
  const Json all_five = {
      {"1", ties_of(5, 5)}, {"2", ties_of(5, 5)}, {"3", ties_of(5, 5)}, {"4", ties_of(5, 5)}};
  CHECK(s.state("ties") == all_five);

  value = s.transcript("volume", Json::array({40}), "40V");
  CHECK(value == 40);
  CHECK(s.state("volume") == 40);
  CHECK(s.simulator.device().volume() == 40);

  value = s.transcript("mute", Json::array({true}), "1Z");
  CHECK(value == true);
  CHECK(s.state("mute") == true);
  CHECK(s.state("audio_mute") == true);
  s.transcript("audio_mute", Json::array({false}), "0Z");
  CHECK(s.state("mute") == false);
  CHECK_FALSE(s.simulator.device().audio_muted());

  s.transcript("video_mute", Json::array({true}), "1B");
  CHECK(s.state("video_mute") == true);
  CHECK(s.simulator.device().video_muted());
  s.transcript("video_mute", Json::array({false}), "0B");
  CHECK(s.state("video_mute") == false);

  value = s.transcript("firmware?", Json::array(), "Q");
  CHECK(value == "1.02");
  CHECK(s.state("firmware") == "1.02");
  CHECK(s.logged(LogLevel::warn, "").empty());
}

TEST_CASE("extron_sis: volume 0-100 maps onto the device range", "[extron][driver]") {
  Options o;
  o.sim.volume_max = 64;
  o.settings["volume_max"] = 64;
  Switcher s(o);
  s.require_online();
  CHECK(s.transcript("volume", Json::array({50}), "32V") == 50);
  CHECK(s.simulator.device().volume() == 32);
  CHECK(s.transcript("volume", Json::array({100}), "64V") == 100);
  CHECK(s.transcript("volume", Json::array({0}), "0V") == 0);
  // A zero-padded report from the front panel knob.
  s.simulator.send_raw("Vol048\r\n");
  REQUIRE(test::run_until(s.io, [&] { return s.state("volume") == 75; }));
}

TEST_CASE("extron_sis: zero-padded answers are understood", "[extron][driver]") {
  Options o;
  o.sim.zero_pad = true;
  Switcher s(o);
  s.require_online();
  CHECK(s.transcript("tie", Json::array({1, 2}), "1*2!") == ties_of(1, 1));
  CHECK(s.transcript("tie", Json::array({7, 3, "video"}), "7*3%")["video"] == 7);
  CHECK(s.transcript("switch_to", Json::array({2}), "2!") == 2);
  CHECK(s.state("ties")["3"] == ties_of(2, 2));
  CHECK(s.logged(LogLevel::warn, "").empty());
}

TEST_CASE("extron_sis: front-panel ties arrive unsolicited and update the tie map",
          "[extron][driver]") {
  Switcher s;
  s.require_online();
  s.simulator.front_panel_tie(2, 3);
  REQUIRE(test::run_until(s.io, [&] { return s.state("ties")["3"] == ties_of(2, 2); }));
  s.simulator.front_panel_tie(6, 3, '$');
  REQUIRE(test::run_until(s.io, [&] { return s.state("ties")["3"] == ties_of(2, 6); }));
  s.simulator.front_panel_tie(4, 1, '&');  // an RGB tie is the video layer
  REQUIRE(test::run_until(s.io, [&] { return s.state("ties")["1"]["video"] == 4; }));

  // One arriving while a tie of another output waits for its answer does not complete it.
  s.simulator.set_fault(ex::Fault::no_answer);
  bool done = false;
  std::string error;
  s.module().exec("tie", Json::array({1, 4}), [&](std::exception_ptr e, Json) {
    done = true;
    if (e) error = "failed";
  });
  REQUIRE(test::run_until(s.io, [&] { return s.count_received("1*4!") == 1; }));
  s.simulator.front_panel_tie(5, 2);
  REQUIRE(test::run_until(s.io, [&] { return s.state("ties")["2"] == ties_of(5, 5); }));
  CHECK_FALSE(done);
  s.simulator.set_fault(ex::Fault::none);
  REQUIRE(test::run_until(s.io, [&] { return done; }));
  CHECK(error.empty());  // the retry was answered
  CHECK(s.state("ties")["4"] == ties_of(1, 1));
  CHECK(s.logged(LogLevel::warn, "not an SIS answer").empty());
}

TEST_CASE("extron_sis: E-codes become readable method errors", "[extron][driver]") {
  Options o;
  o.sim.volume_max = 64;
  Switcher s(o);
  s.require_online();
  s.simulator.clear_received();

  SECTION("E01 for an input the switcher does not have") {
    auto [value, error] = s.exec("tie", Json::array({9, 1}));
    CHECK_THAT(error, Catch::Contains("mod-sw") && Catch::Contains("E01") &&
                          Catch::Contains("invalid input number") && Catch::Contains("9*1!"));
    CHECK(s.count_received("9*1!") == 1);  // an answer, not a reason to retry
  }
  SECTION("E12 for an output the switcher does not have") {
    auto [value, error] = s.exec("tie", Json::array({1, 5, "video"}));
    CHECK_THAT(error, Catch::Contains("E12") && Catch::Contains("invalid output number"));
  }
  SECTION("E13 for a volume beyond the device range") {
    // volume_max left at 100 for a switcher whose range ends at 64.
    auto [value, error] = s.exec("volume", Json::array({100}));
    CHECK_THAT(error, Catch::Contains("E13") && Catch::Contains("out of range") &&
                          Catch::Contains("100V"));
    CHECK(s.simulator.device().volume() == 64);
  }
  SECTION("E24 privilege violation") {
    s.simulator.set_fault(ex::Fault::error_reply, "E24");
    auto [value, error] = s.exec("video_mute", Json::array({true}));
    CHECK_THAT(error, Catch::Contains("E24") && Catch::Contains("privilege violation") &&
                          Catch::Contains("administrator password"));
  }
  SECTION("E22 busy is retried") {
    s.simulator.set_fault(ex::Fault::error_reply, "E22");
    auto [value, error] = s.exec("mute", Json::array({true}));
    CHECK_THAT(error, Catch::Contains("retry") && Catch::Contains("3 attempts"));
    CHECK(s.count_received("1Z") == 3);
  }
  SECTION("bad arguments are refused before sending") {
    auto [value, error] = s.exec("tie", Json::array({1, 2, "both"}));
    CHECK_THAT(error, Catch::Contains("layer must be all, video or audio"));
    std::tie(value, error) = s.exec("volume", Json::array({101}));
    CHECK_THAT(error, Catch::Contains("volume(level: integer)") && Catch::Contains("0-100"));
    std::tie(value, error) = s.exec("tie", Json::array({1, 0}));
    CHECK_THAT(error, Catch::Contains("output 1-999"));
    CHECK(s.simulator.received().empty());
  }
  s.simulator.set_fault(ex::Fault::none);
  CHECK(s.connected());
  CHECK(s.module().run_state() == ModuleRunState::running);
}
