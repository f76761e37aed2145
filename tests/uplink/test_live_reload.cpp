// A live reload under connected clients (what SIGHUP applies, main/config_reload): unchanged
// modules run on untouched and their bindings keep notifying, a removed module's bindings get
// null, changed and added modules start, and changed keys apply to every request after it.
#include "tests/uplink/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace roomd;
using namespace roomd::test;

namespace {

Json bind(Json id, const char* sys, const char* mod, int index, const char* name) {
  return {{"id", id},   {"cmd", "bind"},  {"sys", sys},
          {"mod", mod}, {"index", index}, {"name", name}};
}

std::map<std::string, std::string> key(const char* k) {
  return {{"X-API-Key", k}};
}

void drop_module(Config& config, const std::string& id) {
  std::erase_if(config.modules, [&](const ModuleConfig& m) { return m.id == id; });
  for (auto& sys : config.systems) std::erase(sys.modules, id);
}

ConfigDiff reload(ApiFixture& api, Config next) {
  ConfigDiff diff;
  api.on_io([&] { diff = api.runtime().reload(std::move(next)); });
  return diff;
}

}  // namespace

TEST_CASE("a reload keeps clients: unchanged bindings notify on and a removed module's get null",
          "[reload]") {
  ApiFixture api;
  api.set_status("mod-a", "power", true);
  api.set_status("mod-b", "power", true);
  api.set_status("mod-c", "power", false);
  auto client = WsClient::with_key(api.port(), kAdminKey);
  CHECK(client.request(bind(1, "sys-1", "Display", 1, "power"))["type"] == "success");
  CHECK(client.read_json()["value"] == true);
  CHECK(client.request(bind(2, "sys-1", "Display", 2, "power"))["type"] == "success");
  CHECK(client.read_json()["value"] == true);

  Module* unchanged = nullptr;
  Module* changed_before = nullptr;
  api.on_io([&] {
    unchanged = api.runtime().modules().module("mod-a");
    changed_before = api.runtime().modules().module("mod-c");
  });

  // mod-b goes, mod-c's log level changes (a restart of that module), mod-d comes in as
  // sys-1's second display.
  auto next = api.runtime().config();
  drop_module(next, "mod-b");
  next.modules[1].log_level = LogLevel::debug;
  REQUIRE(next.modules[1].id == "mod-c");
  next.modules.push_back(
      {"mod-d", "api_test_display", "Display", {}, Json::object(), {}, "modules[3]"});
  next.systems[0].modules.push_back("mod-d");
  next.log_level = LogLevel::warn;
  const auto diff = reload(api, next);
  CHECK(diff.removed == std::vector<std::string>{"mod-b"});
  CHECK(diff.changed == std::vector<std::string>{"mod-c"});
  CHECK(diff.added == std::vector<std::string>{"mod-d"});
  CHECK(diff.systems_changed);
  CHECK(diff.log_level_changed);
  // Levels follow the file: the module's own, or the box's.
  CHECK(api.runtime().logs().persistent_level("mod-c") == LogLevel::debug);
  CHECK(api.runtime().logs().persistent_level("mod-a") == LogLevel::warn);

  // The removed module's binding hears null, on the same connection.
  const auto gone = client.read_json();
  CHECK(gone["id"] == 2);
  CHECK(gone["type"] == "notify");
  CHECK(gone["value"].is_null());

  // The unchanged module is the same object and its binding notifies on.
  api.on_io([&] { CHECK(api.runtime().modules().module("mod-a") == unchanged); });
  auto answer = client.request({{"id", 3},
                                {"cmd", "exec"},
                                {"sys", "sys-1"},
                                {"mod", "Display"},
                                {"index", 1},
                                {"name", "power"},
                                {"args", {false}}});
  std::vector<Json> seen{answer};
  while (seen.size() < 2) seen.push_back(client.read_json());
  const auto notified = std::find_if(seen.begin(), seen.end(), [](const Json& m) {
    return m["type"] == "notify" && m["id"] == 1 && m["value"] == false;
  });
  CHECK(notified != seen.end());

  bool retired = false;
  CHECK(wait_until_on(api, [&] {
    auto& modules = api.runtime().modules();
    retired = modules.retiring() == 0;
    return retired && modules.module("mod-b") == nullptr &&
           modules.module("mod-c") != changed_before && modules.module("mod-d") != nullptr;
  }));
  CHECK(retired);
  api.on_io([&] {
    CHECK_FALSE(api.runtime().state().get("mod-b", "power"));
    // Same driver: the changed module's status is kept until its device says otherwise.
    CHECK(api.runtime().state().get("mod-c", "power") == Json(false));
  });

  // The new display answers as sys-1's Display_2; the changed one runs again in sys-2.
  CHECK(http_call(api.port(), http::verb::post, "/api/engine/v2/systems/sys-1/Display_2/power",
                  "[true]", key(kAdminKey))
            .status == 200);
  CHECK(http_call(api.port(), http::verb::post, "/api/engine/v2/systems/sys-2/Display_1/power",
                  "[true]", key(kAdminKey))
            .status == 200);
  api.on_io([&] {
    CHECK(api.runtime().state().get("mod-c", "power") == Json(true));
    CHECK(api.runtime().state().get("mod-d", "power") == Json(true));
  });

  // Reloading the same config again changes nothing.
  const auto again = reload(api, api.runtime().config());
  CHECK(again.empty());
  api.on_io([&] { CHECK(api.runtime().modules().module("mod-a") == unchanged); });
}

TEST_CASE("a reload's keys apply to the next request and close the sessions of keys it removed",
          "[reload]") {
  ApiFixture api;
  auto admin = WsClient::with_key(api.port(), kAdminKey);
  auto panel = WsClient::with_key(api.port(), kOperatorKey);
  CHECK(admin.request(bind(1, "sys-1", "Display", 1, "power"))["type"] == "success");
  CHECK(panel.request(bind(1, "sys-1", "Display", 1, "power"))["type"] == "success");

  auto next = api.runtime().config();
  std::erase_if(next.api.keys, [](const ApiKeyConfig& k) { return k.id == "panel"; });
  next.api.keys.push_back({"panel-2", "a-new-operator-key", "", "operator", {"sys-1"}});
  std::size_t revoked = 0;
  api.on_io([&] {
    const auto diff = api.runtime().reload(next);
    CHECK(diff.keys_changed);
    revoked = api.server().replace_keys(api.runtime().config().api.keys);
  });
  CHECK(revoked == 1);

  // The removed key's session is told to present its key again (1008, policy).
  CHECK_THROWS_AS(panel.read(), beast::system_error);
  CHECK(panel.close_code() == 1008);
  // The admin's goes on.
  api.set_status("mod-a", "power", true);
  CHECK(admin.read_json()["value"] == true);

  const auto target = "/api/engine/v2/systems/sys-1";
  CHECK(http_call(api.port(), http::verb::get, target, "", key(kOperatorKey)).status == 401);
  CHECK(http_call(api.port(), http::verb::get, target, "", key("a-new-operator-key")).status ==
        200);
  CHECK(upgrade_status(api.port(), "/control/websocket?api-key=a-new-operator-key") == 101);
  CHECK(upgrade_status(api.port(), std::string("/control/websocket?api-key=") + kOperatorKey) ==
        401);
}
