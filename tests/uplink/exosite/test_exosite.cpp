// The Exosite dialect at /ws (dialects.md "Exosite"): auth first, batched calls answered in
// order, read from the history, write through setters, subscribe with replay and live values.
#include "tests/support/wait.hpp"
#include "tests/uplink/api_fixture.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;

namespace {

void authenticate(WsClient& ws, const char* key = kOperatorKey) {
  ws.send(Json{{"auth", {{"cik", key}}}}.dump());
  REQUIRE(ws.read_json() == Json{{"status", "ok"}});
}

// The arguments as a vector: a braced single element would not make a JSON array.
Json call(const Json& id, const std::string& procedure, std::vector<Json> arguments) {
  return {{"id", id}, {"procedure", procedure}, {"arguments", Json(std::move(arguments))}};
}

// One batch with one call, and its one answer.
Json one(WsClient& ws, const Json& c) {
  ws.send(Json{{"calls", {c}}}.dump());
  auto answer = ws.read_json();
  REQUIRE(answer.is_array());
  REQUIRE(answer.size() == 1);
  return answer[0];
}

std::vector<Json> values_of(const Json& result) {
  std::vector<Json> out;
  for (const auto& point : result) {
    REQUIRE(point.size() == 2);
    CHECK(point[0].is_number());
    out.push_back(point[1]);
  }
  return out;
}

int fail_code(const Json& answer) {
  CHECK(answer["status"] == "fail");
  return answer["error"]["code"].get<int>();
}

// Expects the 401 answer, then the close.
void expect_refused(WsClient& ws, const std::string& message_part) {
  auto refused = ws.read_json();
  CHECK(refused["status"] == "error");
  CHECK(refused["error"]["code"] == 401);
  CHECK_THAT(refused["error"]["message"].get<std::string>(), Catch::Contains(message_part));
  CHECK_THROWS_AS(ws.read(), beast::system_error);
  CHECK(ws.close_code() == 1008);
}

const Json kVolume = {{"alias", "sys-1/Display_1/volume"}};

}  // namespace

TEST_CASE("exosite: the first message authenticates with a cik") {
  ApiFixture api;
  WsClient first(api.port(), "/ws");
  authenticate(first);

  SECTION("a bad cik") {
    WsClient ws(api.port(), "/ws");
    ws.send(R"({"auth": {"cik": "not-a-key"}})");
    expect_refused(ws, "invalid cik");
  }
  SECTION("calls before auth") {
    WsClient ws(api.port(), "/ws");
    ws.send(Json{{"calls", {call(1, "read", {kVolume})}}}.dump());
    expect_refused(ws, "not authenticated");
  }
  SECTION("invalid JSON before auth") {
    WsClient ws(api.port(), "/ws");
    ws.send("{auth:");
    expect_refused(ws, "invalid JSON");
  }
  SECTION("a cik of the wrong type") {
    WsClient ws(api.port(), "/ws");
    ws.send(R"({"auth": {"cik": 12345}})");
    expect_refused(ws, "not authenticated");
  }
  SECTION("a binary frame before auth") {
    WsClient ws(api.port(), "/ws");
    ws.send_binary("\x01\x02");
    expect_refused(ws, "binary frames");
  }
  SECTION("a key in the upgrade's headers does not replace the auth message") {
    WsClient ws(api.port(), "/ws", {{"X-API-Key", kAdminKey}});
    ws.send(Json{{"calls", {call(1, "read", {kVolume})}}}.dump());
    expect_refused(ws, "not authenticated");
  }
}

TEST_CASE("exosite: read answers points from the history") {
  ApiFixture api;
  for (int level : {5, 10, 15, 20}) api.set_status("mod-a", "volume", level);
  WsClient ws(api.port(), "/ws");
  authenticate(ws, kViewerKey);

  auto latest = one(ws, call(1, "read", {kVolume}));
  CHECK(latest["id"] == 1);
  CHECK(latest["status"] == "ok");
  CHECK(values_of(latest["result"]) == std::vector<Json>{20});
  // The alias alone, as a string, names it too.
  auto all = one(ws, call("r2", "read", {"sys-1/Display_1/volume", {{"starttime", 0}}}));
  CHECK(all["id"] == "r2");
  CHECK(values_of(all["result"]) == std::vector<Json>{20, 15, 10, 5});
  const double second = all["result"][2][0];
  const double third = all["result"][1][0];
  auto window = one(
      ws,
      call(3, "read",
           {kVolume,
            {{"starttime", second}, {"endtime", third}, {"sort", "asc"}, {"selection", "all"}}}));
  CHECK(values_of(window["result"]) == std::vector<Json>{10, 15});
  auto limited =
      one(ws, call(4, "read", {kVolume, {{"starttime", 0}, {"limit", 2}, {"sort", "asc"}}}));
  CHECK(values_of(limited["result"]) == std::vector<Json>{5, 10});
}

TEST_CASE("exosite: calls in one message are answered in order in one array") {
  ApiFixture api;
  api.set_status("mod-a", "volume", 30);
  api.set_status("mod-a", "power", false);
  WsClient ws(api.port(), "/ws");
  authenticate(ws);
  ws.send(Json{{"calls",
                {call(1, "read", {kVolume}), call(2, "info", {kVolume}),
                 call(3, "write", {"sys-1/Display_1/power", true}),
                 call(4, "read", {"sys-1/Display_1/power"})}}}
              .dump());
  auto answers = ws.read_json();
  REQUIRE(answers.size() == 4);
  CHECK(answers[0]["id"] == 1);
  CHECK(values_of(answers[0]["result"]) == std::vector<Json>{30});
  CHECK(answers[1]["id"] == 2);
  CHECK(fail_code(answers[1]) == 501);
  CHECK(answers[2] == Json{{"id", 3}, {"status", "ok"}});
  // The read ran before the write's answer came back: the order of the answers is the calls'.
  CHECK(answers[3]["id"] == 4);
  CHECK(answers[3]["status"] == "ok");
}

TEST_CASE("exosite: write calls the variable's setter") {
  ApiFixture api;
  api.set_status("mod-a", "volume", 30);
  WsClient ws(api.port(), "/ws");
  authenticate(ws);
  CHECK(one(ws, call(1, "write", {"sys-1/Display_1/power", true})) ==
        Json{{"id", 1}, {"status", "ok"}});
  CHECK(wait_until_on(api,
                      [&] { return api.runtime().state().get("mod-a", "power") == Json(true); }));
  auto power = one(ws, call(2, "read", {"sys-1/Display_1/power"}));
  CHECK(values_of(power["result"]) == std::vector<Json>{true});

  auto no_setter = one(ws, call(3, "write", {kVolume, 40}));
  CHECK(fail_code(no_setter) == 405);
  CHECK_THAT(no_setter["error"]["message"].get<std::string>(),
             Catch::Contains("declares no method that sets 'volume'"));
  CHECK(fail_code(one(ws, call(4, "write", {"sys-1/Display_1/power", "yes"}))) == 400);
  CHECK(fail_code(one(ws, call(5, "write", {"sys-1/Display_1/power"}))) == 400);
  // The device refusing is the module's failure: 500 with the driver's words.
  auto failed = one(ws, call(6, "write", {"sys-1/Display_1/failing", "jammed"}));
  CHECK(fail_code(failed) == 500);
  CHECK_THAT(failed["error"]["message"].get<std::string>(), Catch::Contains("jammed"));

  WsClient viewer(api.port(), "/ws");
  authenticate(viewer, kViewerKey);
  CHECK(fail_code(one(viewer, call(7, "write", {"sys-1/Display_1/power", false}))) == 403);
  CHECK(api.runtime().state().get("mod-a", "power") == Json(true));
}

TEST_CASE("exosite: resources that do not resolve") {
  ApiFixture api;
  api.set_status("mod-a", "volume", 30);
  WsClient ws(api.port(), "/ws");
  authenticate(ws);
  CHECK(fail_code(one(ws, call(1, "read", {"sys-1/Display_9/volume"}))) == 404);
  CHECK(fail_code(one(ws, call(2, "read", {"sys-1/Display_1/nothing"}))) == 404);
  CHECK(fail_code(one(ws, call(3, "read", {"volume"}))) == 404);
  CHECK(fail_code(one(ws, call(4, "read", {{{"rid", "abc"}}}))) == 400);
  // Another system's module, for a key scoped to sys-1.
  api.set_status("mod-c", "volume", 1);
  CHECK(fail_code(one(ws, call(5, "read", {"sys-2/Display_1/volume"}))) == 403);
  CHECK(fail_code(one(ws, call(6, "subscribe", {"sys-2/Display_1/volume"}))) == 403);
}

TEST_CASE("exosite: bad arguments are answered 400 with what was wrong") {
  ApiFixture api;
  api.set_status("mod-a", "volume", 30);
  WsClient ws(api.port(), "/ws");
  authenticate(ws);
  const std::vector<std::pair<Json, std::string>> cases = {
      {call(1, "read", {}), "read takes"},
      {call(2, "read", {kVolume, {{"selection", "givenwindow"}}}), "selection: only \"all\""},
      {call(3, "read", {kVolume, {{"sort", "up"}}}), "sort: expected"},
      {call(4, "read", {kVolume, {{"limit", 0}}}), "limit: expected"},
      {call(5, "read", {kVolume, {{"limit", "ten"}}}), "limit: expected"},
      {call(6, "read", {kVolume, {{"starttime", "today"}}}), "starttime: expected Unix seconds"},
      {call(7, "read", {kVolume, {{"strattime", 5}}}), "unknown option 'strattime'"},
      {call(8, "read", {kVolume, 5}), "expected an object of options"},
      {call(9, "subscribe", {kVolume, {{"timeout", -1}}}), "timeout: expected milliseconds"},
      {call(10, "subscribe", {kVolume, {{"subs_id", {1}}}}),
       "subs_id: expected a string or a number"},
      {call(11, "unsubscribe", {kVolume}), "unsubscribe takes"},
      {{{"id", 12}, {"procedure", 5}}, "procedure: expected a procedure name"},
      {{{"id", 13}, {"procedure", "read"}, {"arguments", {{"a", 1}}}},
       "arguments: expected an array"},
  };
  for (const auto& [c, message] : cases) {
    INFO(c.dump());
    auto answer = one(ws, c);
    CHECK(answer["id"] == c["id"]);
    CHECK(fail_code(answer) == 400);
    CHECK_THAT(answer["error"]["message"].get<std::string>(), Catch::Contains(message));
  }
  // A call that is not an object still gets its place in the answer.
  ws.send(
      R"({"calls": [5, {"id": 1, "procedure": "read", "arguments": [{"alias": "sys-1/Display_1/volume"}]}]})");
  auto answers = ws.read_json();
  REQUIRE(answers.size() == 2);
  CHECK(fail_code(answers[0]) == 400);
  CHECK(answers[1]["status"] == "ok");
}

TEST_CASE("exosite: bad messages get an error and the connection stays") {
  ApiFixture api;
  api.set_status("mod-a", "volume", 30);
  WsClient ws(api.port(), "/ws");
  authenticate(ws);
  const std::vector<std::string> bad = {
      "{calls:",
      R"({"calls": {}})",
      R"({"calls": []})",
      R"({"call": []})",
      "42",
      R"({"auth": {"cik": "operator-key-4567"}})",
      std::string(2000, '[') + std::string(2000, ']'),
  };
  for (const auto& text : bad) {
    INFO(text.substr(0, 40));
    ws.send(text);
    auto answer = ws.read_json();
    CHECK(answer["status"] == "error");
    CHECK(answer["error"]["code"] == 400);
    CHECK_FALSE(answer["error"]["message"].get<std::string>().empty());
  }
  Json many = Json::array();
  for (int i = 0; i < 257; ++i) many.push_back(call(i, "read", {kVolume}));
  ws.send(Json{{"calls", many}}.dump());
  auto refused = ws.read_json();
  CHECK(refused["error"]["code"] == 400);
  CHECK_THAT(refused["error"]["message"].get<std::string>(), Catch::Contains("at most 256"));
  // Still served.
  CHECK(one(ws, call(1, "read", {kVolume}))["status"] == "ok");
}

TEST_CASE("exosite: a message over api.max_frame closes with 1009") {
  ApiOptions options;
  options.max_frame = 4096;
  ApiFixture api(options);
  WsClient ws(api.port(), "/ws");
  authenticate(ws);
  ws.send(Json{{"calls", {call(std::string(5000, 'x'), "read", {kVolume})}}}.dump());
  CHECK_THROWS_AS(ws.read(), beast::system_error);
  CHECK(ws.close_code() == 1009);
}

TEST_CASE("exosite: subscribe replays the history after since then follows new values") {
  ApiFixture api;
  for (int level : {1, 2, 3}) api.set_status("mod-a", "volume", level);
  WsClient ws(api.port(), "/ws");
  authenticate(ws);
  auto points = one(ws, call(1, "read", {kVolume, {{"starttime", 0}, {"sort", "asc"}}}))["result"];
  const double first = points[0][0];

  ws.send(Json{{"calls", {call(7, "subscribe", {kVolume, {{"since", first}, {"subs_id", "vol"}}})}}}
              .dump());
  CHECK(ws.read_json() == Json::array({{{"id", 7}, {"status", "ok"}}}));
  // Every point after since, one per message, in order, under the subs_id.
  for (int expected : {2, 3}) {
    auto update = ws.read_json();
    REQUIRE(update.size() == 1);
    CHECK(update[0]["id"] == "vol");
    CHECK(update[0]["status"] == "ok");
    CHECK(values_of(update[0]["result"]) == std::vector<Json>{expected});
  }
  for (int level : {4, 5}) api.set_status("mod-a", "volume", level);
  for (int expected : {4, 5})
    CHECK(values_of(ws.read_json()[0]["result"]) == std::vector<Json>{expected});

  // Without since: only new values, under the call's id.
  ws.send(Json{{"calls", {call(8, "subscribe", {"sys-1/Display_1/power"})}}}.dump());
  CHECK(ws.read_json()[0]["status"] == "ok");
  api.set_status("mod-a", "power", true);
  auto power = ws.read_json();
  CHECK(power[0]["id"] == 8);
  CHECK(values_of(power[0]["result"]) == std::vector<Json>{true});

  // Unsubscribe by subs_id and resource, then by subs_id alone; nothing more arrives.
  CHECK(one(ws, call(9, "unsubscribe", {kVolume, {{"subs_id", "vol"}}}))["status"] == "ok");
  CHECK(fail_code(one(ws, call(10, "unsubscribe", {{{"subs_id", "vol"}}}))) == 404);
  CHECK(one(ws, call(11, "unsubscribe", {{{"subs_id", 8}}}))["status"] == "ok");
  api.set_status("mod-a", "volume", 6);
  api.set_status("mod-a", "power", false);
  // The next message is the answer to this read: no update was queued before it.
  auto next = one(ws, call(12, "read", {kVolume}));
  CHECK(next["id"] == 12);
  CHECK(values_of(next["result"]) == std::vector<Json>{6});
}

TEST_CASE("exosite: a subscription ends when its timeout passes") {
  ApiFixture api;
  api.set_status("mod-a", "volume", 1);
  WsClient ws(api.port(), "/ws");
  authenticate(ws);
  CHECK(one(ws, call(1, "subscribe", {kVolume, {{"timeout", 300}}}))["status"] == "ok");
  api.set_status("mod-a", "volume", 2);
  CHECK(values_of(ws.read_json()[0]["result"]) == std::vector<Json>{2});
  // Change the value and ask for a read until the read's answer is the next message: then no
  // update was sent, the subscription has ended.
  int level = 3;
  bool ended = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!ended && std::chrono::steady_clock::now() < deadline) {
    api.set_status("mod-a", "volume", level++);
    ws.send(Json{{"calls", {call(2, "read", {kVolume})}}}.dump());
    auto next = ws.read_json();
    ended = next[0]["id"] == 2;
    if (!ended) CHECK(ws.read_json()[0]["id"] == 2);  // the update, then the read's answer
  }
  CHECK(ended);
  // Ended by its timeout: nothing left to unsubscribe.
  CHECK(fail_code(one(ws, call(3, "unsubscribe", {{{"subs_id", 1}}}))) == 404);
}

TEST_CASE("exosite: a client that disconnects mid-stream frees its subscriptions") {
  ApiFixture api;
  api.set_status("mod-a", "volume", 0);
  {
    WsClient ws(api.port(), "/ws");
    authenticate(ws);
    CHECK(one(ws, call(1, "subscribe", {kVolume, {{"since", 0}}}))["status"] == "ok");
    CHECK(values_of(ws.read_json()[0]["result"]) == std::vector<Json>{0});
    for (int level = 1; level <= 50; ++level) api.set_status("mod-a", "volume", level);
    // Gone without a close frame while updates are on their way.
    beast::error_code ignored;
    beast::get_lowest_layer(ws.stream()).close(ignored);
  }
  CHECK(wait_until_on(api, [&] { return api.server().open_sessions() == 0; }));
  for (int level = 51; level <= 60; ++level) api.set_status("mod-a", "volume", level);
  // The box serves the next client as before.
  WsClient again(api.port(), "/ws");
  authenticate(again);
  CHECK(values_of(one(again, call(2, "read", {kVolume}))["result"]) == std::vector<Json>{60});
}
