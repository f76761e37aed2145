// The real-time protocol over a real WebSocket: every command's success path, and every error
// code 0-7 with the input that triggers it. Answers are compared field by field with the
// contract (protocol.md §4-5).
#include "tests/uplink/api_fixture.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;
using namespace std::chrono_literals;

namespace {

Json req(Json id, const char* cmd, const char* mod, const char* name, Json extra = Json::object()) {
  Json r = {{"id", id}, {"cmd", cmd}, {"sys", "sys-1"}, {"mod", mod}};
  if (name) r["name"] = name;
  for (auto& [k, v] : extra.items()) r[k] = v;
  return r;
}

Json meta(const char* mod, int index, const char* name) {
  return {{"sys", "sys-1"}, {"mod", mod}, {"index", index}, {"name", name}};
}

// The debug messages among what arrived (the exec answer may come before or after them).
std::vector<Json> debug_records(const std::vector<Json>& messages) {
  std::vector<Json> out;
  for (const auto& m : messages)
    if (m["type"] == "debug") out.push_back(m);
  return out;
}

// Reads until `n` debug records have arrived (other messages are skipped).
std::vector<Json> collect_debug(WsClient& client, std::size_t n) {
  std::vector<Json> out;
  while (out.size() < n) {
    auto m = client.read_json();
    if (m["type"] == "debug") out.push_back(m);
  }
  return out;
}

void check_error(const Json& answer, const Json& id, int code) {
  INFO(answer.dump());
  CHECK(answer["type"] == "error");
  CHECK(answer["id"] == id);
  CHECK(answer["code"] == code);
  CHECK(answer["error_code"] == code);
  CHECK(answer["msg"].is_string());
}

}  // namespace

TEST_CASE("bind answers success, then the current value, then each change once") {
  ApiFixture api;
  api.set_status("mod-a", "power", false);
  auto client = WsClient::with_key(api.port(), kAdminKey);

  auto success = client.request(req(18, "bind", "Display", "power"));
  CHECK(success == Json{{"id", 18}, {"type", "success"}, {"meta", meta("Display", 1, "power")}});
  auto first = client.read_json();
  CHECK(first == Json{{"id", 18},
                      {"type", "notify"},
                      {"value", false},
                      {"meta", meta("Display", 1, "power")}});

  api.set_status("mod-a", "power", true);
  CHECK(client.read_json()["value"] == true);
  // The same value again is not a change.
  api.set_status("mod-a", "power", true);
  CHECK(client.drain().empty());

  // A structured value arrives as plain JSON, not as a string holding JSON.
  api.set_status("mod-a", "power", Json{{"state", "warming"}, {"eta", 30}});
  CHECK(client.read_json()["value"] == Json{{"state", "warming"}, {"eta", 30}});

  // Deleted: notified as null.
  api.on_io([&] { api.runtime().state().erase("mod-a", "power"); });
  CHECK(client.read_json()["value"].is_null());
}

TEST_CASE("a variable without a value is bound quietly until it is set") {
  ApiFixture api;
  auto client = WsClient::with_key(api.port(), kAdminKey);
  CHECK(client.request(req("b1", "bind", "Display", "input"))["type"] == "success");
  CHECK(client.drain().empty());
  api.set_status("mod-a", "input", "hdmi1");
  auto notify = client.read_json();
  CHECK(notify["id"] == "b1");
  CHECK(notify["value"] == "hdmi1");
}

TEST_CASE("a duplicate bind collapses into the first, unbind is idempotent") {
  ApiFixture api;
  auto client = WsClient::with_key(api.port(), kAdminKey);
  CHECK(client.request(req(1, "bind", "Display", "volume"))["type"] == "success");
  CHECK(client.request(req(2, "bind", "Display", "volume", {{"index", "1"}}))["type"] == "success");
  api.set_status("mod-a", "volume", 30);
  auto notifies = client.drain();
  REQUIRE(notifies.size() == 1);
  CHECK(notifies[0]["id"] == 1);

  auto unbound = client.request(req(3, "unbind", "Display", "volume"));
  CHECK(unbound == Json{{"id", 3}, {"type", "success"}, {"meta", meta("Display", 1, "volume")}});
  api.set_status("mod-a", "volume", 31);
  CHECK(client.drain().empty());
  CHECK(client.request(req(4, "unbind", "Display", "volume"))["type"] == "success");
  CHECK(client.request(req(5, "unbind", "Nothing", "x"))["type"] == "success");
}

TEST_CASE("index selects among modules with the same name") {
  ApiFixture api;
  api.set_status("mod-a", "power", false);
  api.set_status("mod-b", "power", true);
  auto client = WsClient::with_key(api.port(), kAdminKey);
  client.request(req(1, "bind", "Display", "power", {{"index", 2}}));
  auto notify = client.read_json();
  CHECK(notify["value"] == true);
  CHECK(notify["meta"]["index"] == 2);
}

TEST_CASE("exec returns the method's value, with positional or named arguments") {
  ApiFixture api;
  auto client = WsClient::with_key(api.port(), kOperatorKey);
  auto answer = client.request(req(7, "exec", "Display", "power", {{"args", {true}}}));
  CHECK(
      answer ==
      Json{{"id", 7}, {"type", "success"}, {"meta", meta("Display", 1, "power")}, {"value", true}});
  answer = client.request(req(8, "exec", "Display", "volume", {{"args", {{"level", 40}}}}));
  CHECK(answer["value"] == 40);
  api.on_io([&] { CHECK(api.runtime().state().get("mod-a", "volume") == Json(40)); });
  // A method without a result answers null.
  answer = client.request(req(9, "exec", "Display", "chatter", {{"args", {"hi"}}}));
  CHECK(answer.contains("value"));
  CHECK(answer["value"].is_null());
}

TEST_CASE("every error code with the input that triggers it") {
  ApiFixture api;
  auto client = WsClient::with_key(api.port(), kAdminKey);

  SECTION("0: invalid JSON, an array, a number, a binary frame") {
    client.send("{not json");
    check_error(client.read_json(), nullptr, 0);
    client.send("[1,2,3]");
    check_error(client.read_json(), nullptr, 0);
    client.send("17");
    check_error(client.read_json(), nullptr, 0);
    client.send_binary(R"({"id":1,"cmd":"bind"})");
    check_error(client.read_json(), nullptr, 0);
  }
  SECTION("1: missing fields, wrong types, unknown method, wrong arguments") {
    client.send(R"({"cmd":"bind","sys":"sys-1","mod":"Display","name":"power"})");
    check_error(client.read_json(), nullptr, 1);
    client.send(R"({"id":2,"cmd":"bind","sys":"sys-1","mod":"Display"})");
    check_error(client.read_json(), 2, 1);
    client.send(R"({"id":3,"cmd":"exec","sys":"sys-1","mod":"Display","name":"power","args":5})");
    check_error(client.read_json(), 3, 1);
    auto unknown = client.request(req(4, "exec", "Display", "explode"));
    check_error(unknown, 4, 1);
    CHECK_THAT(unknown["msg"].get<std::string>(), Catch::Contains("power(on: boolean)"));
    auto wrong = client.request(req(5, "exec", "Display", "power", {{"args", {"yes"}}}));
    check_error(wrong, 5, 1);
    CHECK_THAT(wrong["msg"].get<std::string>(), Catch::Contains("power(on: boolean)"));
  }
  SECTION("2: access denied (role too low)") {
    auto viewer = WsClient::with_key(api.port(), kViewerKey);
    check_error(viewer.request(req(6, "exec", "Display", "power", {{"args", {true}}})), 6, 2);
  }
  SECTION("3: the device said no, the module is offline") {
    auto failed = client.request(req(7, "exec", "Display", "fail", {{"args", {"lamp"}}}));
    check_error(failed, 7, 3);
    CHECK_THAT(failed["msg"].get<std::string>(), Catch::Contains("display answered ERR: lamp"));
    check_error(client.request(req(8, "exec", "Display", "crash")), 8, 3);
    auto offline = client.request(req(9, "exec", "Switcher", "tie", {{"args", {1, 2}}}));
    check_error(offline, 9, 3);
  }
  SECTION("4: unknown command") {
    check_error(client.request(req(10, "reboot", "Display", "power")), 10, 4);
  }
  SECTION("5: unknown system") {
    Json r = req(11, "bind", "Display", "power");
    r["sys"] = "sys-404";
    check_error(client.request(r), 11, 5);
  }
  SECTION("6: unknown module or index") {
    check_error(client.request(req(12, "bind", "Projector", "power")), 12, 6);
    auto index = client.request(req(13, "bind", "Display", "power", {{"index", 3}}));
    check_error(index, 13, 6);
    CHECK(index["msg"] == "module Display_3 not found in sys-1");
  }
  SECTION("7: a failure the framework cannot classify") {
    check_error(client.request(req(14, "exec", "Display", "odd_throw")), 14, 7);
  }
  // Whatever failed, the connection still works.
  CHECK(client.request(req(99, "bind", "Display", "power"))["type"] == "success");
}

TEST_CASE("text ping gets pong, ids come back as sent") {
  ApiFixture api;
  auto client = WsClient::with_key(api.port(), kAdminKey);
  client.send("ping");
  CHECK(client.read() == "pong");
  CHECK(client.request(req("req-α", "bind", "Display", "power"))["id"] == "req-α");
  CHECK(client.request(req(1.5, "bind", "Display", "power"))["id"] == 1.5);
}

TEST_CASE("debug streams records at the requested level and restores the level after") {
  ApiFixture api;
  auto& logs = api.runtime().logs();
  auto client = WsClient::with_key(api.port(), kAdminKey);
  api.on_io([&] { CHECK(logs.effective_level("mod-a") == LogLevel::info); });

  auto success = client.request(req(4, "debug", "Display", nullptr));
  CHECK(success == Json{{"id", 4},
                        {"type", "success"},
                        {"mod_id", "mod-a"},
                        {"meta", {{"sys", "sys-1"}, {"mod", "Display"}, {"index", 1}}}});
  api.on_io([&] { CHECK(logs.effective_level("mod-a") == LogLevel::debug); });

  client.send(req(5, "exec", "Display", "chatter", {{"args", {"x"}}}).dump());
  auto records = collect_debug(client, 2);
  CHECK(
      debug_records(client.drain()).empty());  // debug and info; trace is below the stream's level
  CHECK(records[0]["type"] == "debug");
  CHECK(records[0]["id"] == 4);
  CHECK(records[0]["mod"] == "mod-a");
  CHECK(records[0]["klass"] == "api_test_display");
  CHECK(records[0]["level"] == "debug");
  CHECK(records[0]["msg"] == "debug: x");
  CHECK(records[0]["meta"] == Json{{"sys", "sys-1"}, {"mod", "Display"}, {"index", 1}});
  CHECK(records[0]["time"].is_number());
  CHECK(records[1]["level"] == "info");

  SECTION("ignore by module id") {
    CHECK(client.request({{"id", 6}, {"cmd", "ignore"}, {"sys", "sys-1"}, {"mod", "mod-a"}}) ==
          Json{{"id", 6}, {"type", "success"}});
  }
  SECTION("ignore by name and index") {
    CHECK(client.request(req(6, "ignore", "Display", nullptr))["type"] == "success");
  }
  SECTION("disconnect") {
    client.stream().close(websocket::close_code::normal);
    REQUIRE(wait_until_on(api, [&] { return logs.effective_level("mod-a") == LogLevel::info; }));
    return;
  }
  api.on_io([&] { CHECK(logs.effective_level("mod-a") == LogLevel::info); });
  client.send(req(7, "exec", "Display", "chatter", {{"args", {"y"}}}).dump());
  CHECK(debug_records(client.drain()).empty());
}

TEST_CASE("debug at trace, and two debuggers keep the level until both leave") {
  ApiFixture api;
  auto& logs = api.runtime().logs();
  auto first = WsClient::with_key(api.port(), kAdminKey);
  auto second = WsClient::with_key(api.port(), kAdminKey);
  first.request(req(1, "debug", "Display", nullptr, {{"level", "trace"}}));
  second.request(req(1, "debug", "Display", nullptr));
  api.on_io([&] { CHECK(logs.effective_level("mod-a") == LogLevel::trace); });
  first.send(req(2, "exec", "Display", "chatter", {{"args", {"z"}}}).dump());
  CHECK(collect_debug(first, 3).size() == 3);
  CHECK(collect_debug(second, 2).size() == 2);
  CHECK(debug_records(first.drain()).empty());
  CHECK(debug_records(second.drain()).empty());
  first.request(req(3, "ignore", "Display", nullptr));
  api.on_io([&] { CHECK(logs.effective_level("mod-a") == LogLevel::debug); });
  second.request(req(3, "ignore", "Display", nullptr));
  api.on_io([&] { CHECK(logs.effective_level("mod-a") == LogLevel::info); });
}
