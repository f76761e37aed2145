// The DAS dialect over Socket.IO (dialects.md "DAS"): authorization first and in time,
// subscribe and unsubscribe, exec with its codes, and subject_update with its track.
#include "tests/uplink/socketio/eio_client.hpp"

#include <catch2/catch.hpp>

#include <ctime>

namespace roomd::test {
namespace {

using namespace std::chrono_literals;
using Catch::Contains;

Json status(int code, const std::string& message) {
  return {{"code", code}, {"message", message}};
}

// The connection ends: Socket.IO's disconnect, then the socket closes.
void expect_disconnect(DasWs& das) {
  CHECK(das.raw(3s) == "41");
  CHECK(das.raw(3s) == "1");  // Engine.IO's close packet
  CHECK_THROWS(das.raw(3s));
}

// The next subject_update that tells a change (not a subscription's snapshot).
Json next_change(DasWs& das) {
  for (;;) {
    auto update = das.next_of_type("subject_update");
    if (!update.at("data").at("changed").empty()) return update;
  }
}

TEST_CASE("das: the authorization is answered 200 - a bad key 401 and a disconnect", "[das]") {
  ApiFixture api;
  LogRecorder log(api.runtime(), LogLevel::warn);
  {
    DasWs das(api.port());
    CHECK(das.authorize(kOperatorKey) ==
          Json{{"type", "resp_authorization"}, {"resp_id", 1}, {"status", status(200, "OK")}});
    das.send({{"type", "authorization"},
              {"Authorization", std::string("Bearer ") + kOperatorKey},
              {"id", 2}});
    CHECK(das.next().at("status").at("code") == 400);  // once is enough
  }
  {
    DasWs das(api.port());
    auto refused = das.authorize("not-a-key");
    CHECK(refused.at("resp_id") == 1);
    CHECK(refused.at("status").at("code") == 401);
    CHECK_THAT(refused.at("status").at("message").get<std::string>(), Contains("unknown API key"));
    expect_disconnect(das);
  }
  {
    DasWs das(api.port());
    das.send({{"type", "authorization"}, {"Authorization", kOperatorKey}, {"id", 1}});
    CHECK(das.next().at("status").at("code") == 401);  // no "Bearer "
    expect_disconnect(das);
  }
  {
    DasWs das(api.port());
    das.send({{"type", "subscribe"}, {"id", 5}});
    auto refused = das.next();
    CHECK(refused.at("resp_id") == 5);
    CHECK(refused.at("status").at("code") == 401);
    CHECK_THAT(refused.at("status").at("message").get<std::string>(),
               Contains("first message must be the authorization"));
    expect_disconnect(das);
  }
  // The key itself never reaches the log.
  for (const auto& line : log.lines()) CHECK_THAT(line.message, !Contains("not-a-key"));
}

TEST_CASE("das: no authorization within the window disconnects", "[das]") {
  ApiOptions options;
  options.das.auth_window = 300ms;
  ApiFixture api(options);
  LogRecorder log(api.runtime(), LogLevel::info);
  const auto opened = std::chrono::steady_clock::now();
  DasWs quick(api.port());
  DasWs silent(api.port());
  CHECK(quick.authorize(kViewerKey).at("status").at("code") == 200);
  expect_disconnect(silent);
  CHECK(std::chrono::steady_clock::now() - opened >= 300ms);
  CHECK(log.containing("dialects.das.auth_window").size() == 1);
  // The one that authorized in time is still served after the window.
  quick.send({{"type", "nonsense"}, {"id", 3}});
  CHECK(quick.next().at("resp_id") == 3);
}

TEST_CASE("das: subscribe takes systems in scope - default all - and snapshots each module",
          "[das]") {
  ApiFixture api;
  DasWs operator_(api.port());
  operator_.authorize(kOperatorKey);
  operator_.send({{"type", "subscribe"}, {"id", 2}});
  CHECK(operator_.next() == Json{{"type", "resp_subscribe"},
                                 {"resp_id", 2},
                                 {"status", status(200, "OK")},
                                 {"systems", {"sys-1"}}});
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) {
    auto update = operator_.next();
    CHECK(update.at("type") == "subject_update");
    CHECK(update.at("data").at("system") == "sys-1");
    CHECK(update.at("data").at("changed") == Json::array());
    CHECK(update.at("data").at("track") == Json::object());
    names.push_back(update.at("data").at("name").get<std::string>());
  }
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"Display_1", "Display_2", "Switcher_1"});

  operator_.send({{"type", "subscribe"}, {"id", 3}, {"systems", {"sys-2"}}});
  auto denied = operator_.next();
  CHECK(denied.at("type") == "resp_subscribe");
  CHECK(denied.at("status").at("code") == 403);
  // A scoped key cannot tell a system out of its scope from one that does not exist.
  operator_.send({{"type", "subscribe"}, {"id", 4}, {"systems", {"sys-9"}}});
  CHECK(operator_.next().at("status").at("code") == 403);
  operator_.send({{"type", "subscribe"}, {"id", 5}, {"systems", "sys-1"}});
  CHECK(operator_.next().at("status").at("code") == 400);

  DasWs admin(api.port());
  admin.authorize(kAdminKey);
  admin.send({{"type", "subscribe"}, {"id", 2}, {"systems", {"sys-9"}}});
  auto unknown = admin.next();
  CHECK(unknown.at("status").at("code") == 404);
  CHECK_THAT(unknown.at("status").at("message").get<std::string>(), Contains("sys-9"));
  admin.send({{"type", "subscribe"}, {"id", 3}});
  CHECK(admin.next().at("systems") == Json::array({"sys-1", "sys-2"}));
}

TEST_CASE("das: every change of a subscribed module is a subject_update with its track", "[das]") {
  ApiFixture api;
  DasWs das(api.port());
  das.authorize(kOperatorKey);
  das.send({{"type", "subscribe"}, {"id", 2}, {"systems", {"sys-1"}}});
  das.next_of_type("resp_subscribe");
  const double before = static_cast<double>(std::time(nullptr));
  for (int level = 1; level <= 12; ++level) api.set_status("mod-a", "volume", level);
  for (int level = 1; level <= 12; ++level) {
    auto update = next_change(das);
    const auto& data = update.at("data");
    INFO(data.dump());
    CHECK(data.at("id") == "mod-a");
    CHECK(data.at("system") == "sys-1");
    CHECK(data.at("name") == "Display_1");
    CHECK(data.at("driver") == "api_test_display");
    CHECK(data.at("changed") == Json::array({"volume"}));
    CHECK(data.at("status").at("volume") == level);
    const auto& track = data.at("track").at("volume");
    CHECK(track.size() == static_cast<std::size_t>(std::min(level, 10)));
    CHECK(track.back().at(1) == level);  // oldest first, this change last
    CHECK(track.front().at(1) == std::max(1, level - 9));
    CHECK(track.back().at(0).get<double>() >= before);
  }
  // A viewer gets the same subject without the track.
  DasWs viewer(api.port());
  viewer.authorize(kViewerKey);
  viewer.send({{"type", "subscribe"}, {"id", 2}});
  viewer.next_of_type("resp_subscribe");
  api.set_status("mod-b", "power", true);
  auto update = next_change(viewer);
  CHECK(update.at("data").at("id") == "mod-b");
  CHECK(update.at("data").at("status").at("power") == true);
  CHECK_FALSE(update.at("data").contains("track"));
}

TEST_CASE("das: unsubscribe stops a system's updates", "[das]") {
  ApiFixture api;
  DasWs das(api.port());
  das.authorize(kAdminKey);
  das.send({{"type", "subscribe"}, {"id", 2}});
  das.next_of_type("resp_subscribe");
  das.send({{"type", "unsubscribe"}, {"id", 3}, {"systems", {"sys-1"}}});
  CHECK(das.next_of_type("resp_unsubscribe") == Json{{"type", "resp_unsubscribe"},
                                                     {"resp_id", 3},
                                                     {"status", status(200, "OK")},
                                                     {"systems", {"sys-1"}}});
  // Changes reach clients in the order they happened: sys-1's first one would come first.
  api.set_status("mod-a", "volume", 40);
  api.set_status("mod-c", "volume", 41);
  auto update = next_change(das);
  CHECK(update.at("data").at("id") == "mod-c");
  CHECK(update.at("data").at("system") == "sys-2");
}

TEST_CASE("das: exec answers the value - or the code and the protocol's meaning", "[das]") {
  ApiFixture api;
  DasWs das(api.port());
  das.authorize(kOperatorKey);
  das.send({{"type", "exec"},
            {"id", 2},
            {"sys", "sys-1"},
            {"mod", "Display"},
            {"index", 1},
            {"name", "volume"},
            {"args", {33}}});
  CHECK(das.next() ==
        Json{{"type", "resp_exec"}, {"resp_id", 2}, {"status", status(200, "OK")}, {"value", 33}});
  CHECK(
      wait_until_on(api, [&] { return api.runtime().state().get("mod-a", "volume") == Json(33); }));
  das.send({{"type", "exec"},
            {"id", 3},
            {"sys", "sys-1"},
            {"mod", "Display"},
            {"name", "fail"},
            {"args", {"lamp"}}});
  auto failed = das.next();
  CHECK(failed.at("status").at("code") == 500);
  CHECK_THAT(failed.at("status").at("message").get<std::string>(),
             Contains("request failed") && Contains("display answered ERR: lamp"));
  das.send({{"type", "exec"},
            {"id", 4},
            {"sys", "sys-1"},
            {"mod", "Projector"},
            {"name", "power"},
            {"args", {true}}});
  auto missing = das.next();
  CHECK(missing.at("status").at("code") == 404);
  CHECK_THAT(missing.at("status").at("message").get<std::string>(), Contains("module not found"));
  das.send({{"type", "exec"},
            {"id", 5},
            {"sys", "sys-7"},
            {"mod", "Display"},
            {"name", "power"},
            {"args", {true}}});
  CHECK(das.next().at("status").at("code") == 403);  // out of scope, or not there: the same
  DasWs admin(api.port());
  admin.authorize(kAdminKey);
  admin.send({{"type", "exec"},
              {"id", 5},
              {"sys", "sys-7"},
              {"mod", "Display"},
              {"name", "power"},
              {"args", {true}}});
  auto no_system = admin.next();
  CHECK(no_system.at("status").at("code") == 404);
  CHECK_THAT(no_system.at("status").at("message").get<std::string>(), Contains("system not found"));
  das.send({{"type", "exec"},
            {"id", 6},
            {"sys", "sys-1"},
            {"mod", "Display"},
            {"index", "x"},
            {"name", "power"}});
  CHECK(das.next().at("status").at("code") == 400);
  das.send({{"type", "exec"},
            {"id", 7},
            {"sys", "sys-1"},
            {"mod", "Display"},
            {"name", "power"},
            {"args", true}});
  CHECK(das.next().at("status").at("code") == 400);

  DasWs viewer(api.port());
  viewer.authorize(kViewerKey);
  viewer.send({{"type", "exec"},
               {"id", 2},
               {"sys", "sys-1"},
               {"mod", "Display"},
               {"name", "power"},
               {"args", {true}}});
  auto denied = viewer.next();
  CHECK(denied.at("type") == "resp_exec");
  CHECK(denied.at("status").at("code") == 403);
  CHECK(api.runtime().state().get("mod-a", "power") != Json(true));
}

TEST_CASE("das: an unknown type or a message that is no object gets resp_error 400", "[das]") {
  ApiFixture api;
  DasWs das(api.port());
  das.authorize(kOperatorKey);
  das.send({{"type", "teleport"}, {"id", 12}});
  auto unknown = das.next();
  CHECK(unknown.at("type") == "resp_error");
  CHECK(unknown.at("resp_id") == 12);
  CHECK(unknown.at("status").at("code") == 400);
  CHECK_THAT(unknown.at("status").at("message").get<std::string>(), Contains("teleport"));
  das.send(Json::array({1, 2}));
  CHECK(das.next().at("status").at("code") == 400);
  das.send({{"id", 13}});
  CHECK(das.next().at("resp_id") == 13);
}

}  // namespace
}  // namespace roomd::test
