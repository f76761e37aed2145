// The REST endpoints with the same keys and roles as the WebSocket, and a /metrics answer
// that parses as Prometheus text.
#include "tests/support/wait.hpp"
#include "tests/uplink/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

using namespace roomd;
using namespace roomd::test;

namespace {

std::map<std::string, std::string> key(const char* k) {
  return {{"X-API-Key", k}};
}

HttpResult get(ApiFixture& api, const std::string& target, const char* k = kAdminKey) {
  return http_call(api.port(), http::verb::get, target, "",
                   k ? key(k) : std::map<std::string, std::string>{});
}

}  // namespace

TEST_CASE("/auth/authority and /healthz need no key") {
  ApiFixture api;
  auto authority = get(api, "/auth/authority", nullptr);
  REQUIRE(authority.status == 200);
  auto a = authority.json();
  CHECK(a["id"] == "box-api");
  CHECK(a["name"] == "API test box");
  CHECK(a["domain"] == "box.local:" + std::to_string(api.port()));
  CHECK(a["version"] == "2.0.0");
  CHECK(a["session"] == false);
  CHECK(a["login_url"] == "/login?continue={{url}}");
  CHECK(a["config"] == Json::object());

  auto head = http_call(api.port(), http::verb::head, "/auth/authority");
  CHECK(head.status == 200);
  CHECK(head.body.empty());

  auto health = get(api, "/healthz", nullptr);
  REQUIRE(health.status == 200);
  auto h = health.json();
  CHECK(h["status"] == "ok");
  CHECK(h["total"] == 4);
  CHECK(h["modules"]["mod-net"]["connected"] == false);
  CHECK(h["modules"]["mod-a"]["state"] == "running");
}

TEST_CASE("/healthz answers 503 with the summary while a module has failed") {
  ApiOptions options;
  options.broken_module = true;
  ApiFixture api(options);
  HttpResult health;
  REQUIRE(wait_until([&] {
    health = get(api, "/healthz", nullptr);
    return health.status == 503;
  }));
  auto h = health.json();
  CHECK(h["status"] == "failed");
  CHECK(h["failed"] == 1);
  CHECK(h["total"] == 5);
  CHECK(h["modules"]["mod-broken"]["state"] == "failed");
  CHECK(h["modules"]["mod-a"]["state"] == "running");
}

TEST_CASE("systems, one system, module state and functions") {
  ApiFixture api;
  api.set_status("mod-a", "power", true);
  api.set_status("mod-a", "volume", 12);

  CHECK(get(api, "/api/engine/v2/systems", nullptr).status == 401);
  auto all = get(api, "/api/engine/v2/systems").json();
  REQUIRE(all.size() == 2);
  CHECK(all[0] == Json{{"id", "sys-1"},
                       {"name", "Room 1"},
                       {"modules", {"Display_1", "Display_2", "Switcher_1"}}});
  // A scoped key sees only its systems.
  auto scoped = get(api, "/api/engine/v2/systems", kOtherSystemKey).json();
  REQUIRE(scoped.size() == 1);
  CHECK(scoped[0]["id"] == "sys-2");
  CHECK(get(api, "/api/engine/v2/systems/sys-1", kOtherSystemKey).status == 403);

  auto sys = get(api, "/api/engine/v2/systems/sys-1").json();
  CHECK(sys["modules"][1] == Json{{"name", "Display"},
                                  {"index", 2},
                                  {"module_id", "mod-b"},
                                  {"driver", "api_test_display"},
                                  {"connected", true}});
  CHECK(sys["modules"][2]["connected"] == false);
  CHECK(get(api, "/api/engine/v2/systems/sys-9").status == 404);

  auto state = get(api, "/api/engine/v2/systems/sys-1/Display_1").json();
  CHECK(state["power"] == true);
  CHECK(state["volume"] == 12);
  CHECK(state["connected"] == true);
  CHECK(get(api, "/api/engine/v2/systems/sys-1/Display_7").status == 404);

  auto functions = get(api, "/api/engine/v2/systems/sys-1/functions/Display_1", kViewerKey).json();
  CHECK(functions["volume"]["arity"] == 2);
  CHECK(functions["volume"]["order"] == Json{"level", "ramp"});
  CHECK(functions["volume"]["params"]["level"] == Json{"integer"});
  CHECK(functions["volume"]["params"]["ramp"] == Json{"boolean", false});
  CHECK(functions["power"]["returns"] == "boolean");
  // PlaceOS's keys stay as they were; a declared range is one more key beside them.
  CHECK(functions["volume"].dump() ==
        R"({"arity":2,"order":["level","ramp"],"params":{"level":["integer"],)"
        R"("ramp":["boolean",false]},"ranges":{"level":[0,100]},"returns":"integer"})");
  CHECK_FALSE(functions["power"].contains("ranges"));
  // The setter a driver declared, so "write this value" has a meaning.
  CHECK(functions["power"]["sets"] == "power");
  CHECK_FALSE(functions["volume"].contains("sets"));
}

TEST_CASE("api_keys/inspect names the caller's key, role and systems, never the key") {
  ApiFixture api;
  const std::string path = "/api/engine/v2/api_keys/inspect";
  CHECK(get(api, path, nullptr).status == 401);
  CHECK(get(api, path, "not-a-key").status == 401);

  auto admin = get(api, path);
  REQUIRE(admin.status == 200);
  CHECK(admin.json() == Json{{"id", "admin"}, {"role", "admin"}, {"systems", {"*"}}});
  CHECK(admin.body.find(kAdminKey) == std::string::npos);
  CHECK(get(api, path, kOperatorKey).json() ==
        Json{{"id", "panel"}, {"role", "operator"}, {"systems", {"sys-1"}}});
  auto hashed = get(api, path, kHashedKey);
  CHECK(hashed.json() == Json{{"id", "hashed"}, {"role", "viewer"}, {"systems", {"sys-1"}}});
  CHECK(hashed.body.find("sha") == std::string::npos);
  CHECK(http_call(api.port(), http::verb::post, path, "", key(kAdminKey)).status == 404);
}

TEST_CASE("exec by POST: value, error codes as HTTP statuses, roles") {
  ApiFixture api;
  const std::string base = "/api/engine/v2/systems/sys-1/";
  auto ok = http_call(api.port(), http::verb::post, base + "Display_2/volume", R"([33])",
                      key(kOperatorKey));
  CHECK(ok.status == 200);
  CHECK(ok.json() == 33);
  api.on_io([&] { CHECK(api.runtime().state().get("mod-b", "volume") == Json(33)); });

  auto named = http_call(api.port(), http::verb::post, base + "Display_1/power", R"({"on":true})",
                         key(kOperatorKey));
  CHECK(named.json() == true);

  auto bad = http_call(api.port(), http::verb::post, base + "Display_1/power", R"(["x"])",
                       key(kOperatorKey));
  CHECK(bad.status == 400);
  CHECK(bad.json()["code"] == 1);
  CHECK(bad.json()["error_code"] == 1);

  auto failed = http_call(api.port(), http::verb::post, base + "Display_1/fail", R"(["fan"])",
                          key(kOperatorKey));
  CHECK(failed.status == 502);
  CHECK(failed.json()["code"] == 3);

  auto viewer = http_call(api.port(), http::verb::post, base + "Display_1/power", R"([true])",
                          key(kViewerKey));
  CHECK(viewer.status == 403);
  CHECK(viewer.json()["code"] == 2);

  auto garbage =
      http_call(api.port(), http::verb::post, base + "Display_1/power", "{oops", key(kOperatorKey));
  CHECK(garbage.status == 400);

  // A body over 1 MiB is refused from its Content-Length, before it is read.
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), api.port()});
  asio::write(socket,
              asio::buffer("POST " + base +
                           "Display_1/power HTTP/1.1\r\nHost: x\r\n"
                           "X-API-Key: " +
                           std::string(kOperatorKey) + "\r\nContent-Length: 2097152\r\n\r\n"));
  beast::flat_buffer buffer;
  http::response<http::string_body> huge;
  http::read(socket, buffer, huge);
  CHECK(huge.result_int() == 413);
  CHECK_FALSE(huge.keep_alive());
}

TEST_CASE("log level: admins read and change it, it is kept across restarts") {
  TempDir state;
  ApiOptions options;
  options.state_dir = state.path();
  auto box = std::make_unique<ApiFixture>(options);
  auto& api = *box;
  const std::string path = "/api/engine/v2/modules/mod-a/log_level";
  CHECK(get(api, path, kOperatorKey).status == 403);
  auto level = get(api, path).json();
  CHECK(level == Json{{"module", "mod-a"}, {"level", "info"}, {"effective", "info"}});

  auto set = http_call(api.port(), http::verb::put, path, R"({"level":"warn"})", key(kAdminKey));
  CHECK(set.status == 200);
  CHECK(set.json()["level"] == "warn");
  api.on_io([&] { CHECK(api.runtime().logs().persistent_level("mod-a") == LogLevel::warn); });

  auto invalid =
      http_call(api.port(), http::verb::put, path, R"({"level":"loud"})", key(kAdminKey));
  CHECK(invalid.status == 400);
  CHECK(get(api, "/api/engine/v2/modules/mod-zz/log_level").status == 404);

  // A debug session lowers the effective level only; the persistent one stays.
  {
    auto client = WsClient::with_key(api.port(), kAdminKey);
    client.request({{"id", 1}, {"cmd", "debug"}, {"sys", "sys-1"}, {"mod", "Display"}});
    CHECK(get(api, path).json() ==
          Json{{"module", "mod-a"}, {"level", "warn"}, {"effective", "debug"}});
  }
  REQUIRE(wait_until_on(
      api, [&] { return api.runtime().logs().effective_level("mod-a") == LogLevel::warn; }));
  // Only admins may read it, whatever their scope.
  CHECK(http_call(api.port(), http::verb::get, "/api/engine/v2/modules/mod-a/log_level", "",
                  key(kOtherSystemKey))
            .status == 403);

  // Restart the box on the same state directory: the level set at runtime wins over config.
  box.reset();
  ApiFixture again(options);
  CHECK(get(again, path).json() ==
        Json{{"module", "mod-a"}, {"level", "warn"}, {"effective", "warn"}});
}

TEST_CASE("/metrics is Prometheus text with the API's and the modules' figures") {
  ApiFixture api;
  auto client = WsClient::with_key(api.port(), kAdminKey);
  client.request(
      {{"id", 1}, {"cmd", "bind"}, {"sys", "sys-1"}, {"mod", "Display"}, {"name", "power"}});
  client.request({{"id", 2},
                  {"cmd", "exec"},
                  {"sys", "sys-1"},
                  {"mod", "Display"},
                  {"name", "power"},
                  {"args", {true}}});
  client.read_json();  // the notify of the change

  CHECK(get(api, "/metrics", nullptr).status == 401);
  auto metrics = get(api, "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK_THAT(metrics.content_type, Catch::StartsWith("text/plain; version=0.0.4"));

  const std::regex comment(R"(# (HELP|TYPE) [a-z_]+ .+)");
  const std::regex sample(
      R"([a-z_]+(\{([a-z_]+="[^"]*",?)+\})? -?[0-9.e+-]+|[a-z_]+(\{.*\})? \+?Inf)");
  std::map<std::string, std::string> samples;
  std::istringstream lines(metrics.body);
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    if (line.empty()) continue;
    if (line[0] == '#') {
      CHECK(std::regex_match(line, comment));
      continue;
    }
    CHECK(std::regex_match(line, sample));
    auto space = line.rfind(' ');
    samples[line.substr(0, space)] = line.substr(space + 1);
  }
  CHECK(samples["roomd_ws_connections"] == "1");
  CHECK(samples["roomd_bindings"] == "1");
  CHECK(samples["roomd_notifies_sent_total"] == "1");
  CHECK(samples["roomd_exec_total{module=\"mod-a\",result=\"ok\"}"] == "1");
  CHECK(samples["roomd_exec_duration_seconds_count{module=\"mod-a\"}"] == "1");
  CHECK(samples["roomd_exec_duration_seconds_bucket{module=\"mod-a\",le=\"+Inf\"}"] == "1");
  CHECK(samples["roomd_module_connected{module=\"mod-a\",driver=\"api_test_display\"}"] == "1");
  CHECK(samples["roomd_module_connected{module=\"mod-net\",driver=\"api_test_switcher\"}"] == "0");
  CHECK(samples.count("roomd_module_queue_depth{module=\"mod-net\"}") == 1);
  CHECK(samples.count("roomd_log_records_dropped_total") == 1);
  CHECK(samples.count("roomd_notifies_coalesced_total") == 1);
}
