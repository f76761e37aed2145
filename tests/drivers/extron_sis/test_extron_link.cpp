// The Extron SIS driver's link: keep-alive against the switcher's idle timeout, reconnects
// after the switcher hangs up or stops answering, garbage on the line, and RS-232 over a pty.
#include "tests/drivers/extron_sis/switcher_fixture.hpp"

using namespace roomd;
using namespace roomd::test::extron_sis;

TEST_CASE("extron_sis: keep-alive Q keeps the connection past the idle timeout",
          "[extron][driver]") {
  Options o;
  o.sim.idle_timeout = 600ms;  // longer than the login, which waits 300 ms for a prompt
  o.settings["keepalive_every"] = "100ms";
  Switcher s(o);
  s.require_online();
  // Well past the idle timeout, several times over.
  REQUIRE(test::run_until(s.io, [&] { return s.count_received("Q") >= 10; }));
  CHECK(s.connected_true == 1);
  CHECK(s.simulator.connections() == 1);
  CHECK(s.state("firmware") == "1.02");
  auto received = s.simulator.received();
  CHECK(std::all_of(received.begin() + 1, received.end(),
                    [](const std::string& r) { return r == "Q"; }));
}

TEST_CASE("extron_sis: a keep-alive without reply reconnects", "[extron][driver]") {
  Options o;
  o.settings["keepalive_every"] = "100ms";
  o.settings["timeout"] = "100ms";
  Switcher s(o);
  s.require_online();
  s.simulator.set_fault(ex::Fault::no_answer);
  REQUIRE(test::run_until(s.io,
                          [&] { return !s.logged(LogLevel::warn, "keep-alive failed").empty(); }));
  CHECK_THAT(s.logged(LogLevel::warn, "keep-alive failed").front(),
             Catch::Contains("reconnecting"));
  s.simulator.set_fault(ex::Fault::none);
  // Online again, with verbose mode set on the new connection.
  REQUIRE(test::run_until(s.io, [&] {
    return s.connected_true >= 2 && s.connected() && s.count_received(kVerbose) >= 2 &&
           s.module().queue_depth() == 0;
  }));
  CHECK(s.transcript("tie", Json::array({2, 1}), "2*1!") == ties_of(2, 2));
}

TEST_CASE("extron_sis: the switcher dropping the line is reconnected, logged in again",
          "[extron][driver]") {
  Options o;
  o.sim.password = kPassword;
  o.settings["password"] = kPassword;
  Switcher s(o);
  s.require_online();
  s.simulator.clear_received();

  s.simulator.drop_clients();
  REQUIRE(test::run_until(s.io, [&] { return s.connected_true == 2 && s.connected(); }));
  REQUIRE(test::run_until(s.io, [&] { return s.count_received(kVerbose) == 1; }));
  CHECK(s.simulator.received() ==
        std::vector<std::string>{std::string(kPassword) + "\r", kVerbose});
  CHECK_FALSE(s.logged(LogLevel::warn, "disconnected from").empty());
  CHECK(s.logged(LogLevel::info, "logged in as Administrator").size() == 2);

  // A command the switcher hangs up on is sent again after the reconnect.
  s.simulator.set_fault(ex::Fault::drop_connection);
  auto [value, error] = s.exec("switch_to", Json::array({3}));
  CHECK(error.empty());
  CHECK(value == 3);
  CHECK(s.count_received("3!") == 2);
  CHECK(s.connected_true == 3);
  CHECK(s.state("input") == 3);
  // Front-panel reports work on the new connection: verbose mode was set again.
  s.simulator.front_panel_tie(4, 2);
  REQUIRE(test::run_until(s.io, [&] { return s.state("ties")["2"] == ties_of(4, 4); }));
  CHECK(s.module().run_state() == ModuleRunState::running);
}

TEST_CASE("extron_sis: garbage from the switcher is logged and skipped", "[extron][driver]") {
  Switcher s;
  s.require_online();

  SECTION("an unsolicited garbage line") {
    s.simulator.send_raw("\xff\xfe junk\r\n");
    REQUIRE(test::run_until(
        s.io, [&] { return !s.logged(LogLevel::warn, "not an SIS answer").empty(); }));
    CHECK_THAT(s.logged(LogLevel::warn, "not an SIS answer").front(),
               Catch::Contains("\\xFF\\xFE junk"));
  }

  SECTION("every answer preceded by a garbage line") {
    s.simulator.set_fault(ex::Fault::garbage);
    CHECK(s.transcript("tie", Json::array({6, 1}), "6*1!") == ties_of(6, 6));
    CHECK(s.transcript("volume", Json::array({70}), "70V") == 70);
    CHECK(s.transcript("firmware?", Json::array(), "Q") == "1.02");
    CHECK_FALSE(s.logged(LogLevel::warn, "not an SIS answer").empty());
    s.simulator.set_fault(ex::Fault::none);
  }

  SECTION("an overlong line") {
    s.simulator.send_raw(std::string(2000, 'x') + "\r\n");
    REQUIRE(test::run_until(s.io, [&] { return !s.logged(LogLevel::warn, "dropped").empty(); }));
  }

  CHECK(s.transcript("mute", Json::array({true}), "1Z") == true);
  CHECK(s.connected_true == 1);
  CHECK(s.logged(LogLevel::error, "").empty());
}

TEST_CASE("extron_sis: a switcher that does not answer fails the method after the timeout",
          "[extron][driver]") {
  Switcher s;
  s.require_online();
  s.simulator.set_fault(ex::Fault::no_answer);
  s.simulator.clear_received();
  auto [value, error] = s.exec("tie", Json::array({1, 1}));
  CHECK_THAT(error, Catch::Contains("no reply") && Catch::Contains("within 300ms") &&
                        Catch::Contains("3 attempts"));
  CHECK(s.count_received("1*1!") == 3);
  CHECK(s.module().run_state() == ModuleRunState::running);
}

TEST_CASE("extron_sis: RS-232 over a pty: no banner, online after login_wait", "[extron][driver]") {
  Options o;
  o.serial = true;
  o.settings["login_wait"] = "100ms";
  Switcher s(o);
  s.require_online();
  CHECK(s.simulator.received() == std::vector<std::string>{kVerbose});
  CHECK(s.state("device").is_null());  // no banner on the serial port

  CHECK(s.transcript("tie", Json::array({2, 3, "video"}), "2*3%") == Json{{"video", 2}});
  CHECK(s.transcript("switch_to", Json::array({4}), "4!") == 4);
  CHECK(s.transcript("volume", Json::array({25}), "25V") == 25);
  CHECK(s.transcript("mute", Json::array({true}), "1Z") == true);
  CHECK(s.transcript("video_mute", Json::array({true}), "1B") == true);
  s.simulator.front_panel_tie(1, 2, '$');
  REQUIRE(test::run_until(s.io, [&] { return s.state("ties")["2"] == ties_of(4, 1); }));
  auto [value, error] = s.exec("tie", Json::array({9, 1}));
  CHECK_THAT(error, Catch::Contains("E01"));
  CHECK(s.logged(LogLevel::warn, "").empty());
}
