// Who may connect and what each key may do: no key and a bad key get HTTP 401 before any
// upgrade; each of the six places a key may come from works; roles and system scopes give
// error 2 on the WebSocket.
#include "tests/uplink/api_fixture.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;

namespace {

constexpr const char* kPath = "/api/engine/v2/systems/control";

Json req(int id, const char* cmd, const char* sys = "sys-1") {
  Json r = {{"id", id}, {"cmd", cmd}, {"sys", sys}, {"mod", "Display"}, {"name", "power"}};
  if (std::string(cmd) == "exec") r["args"] = {true};
  return r;
}

}  // namespace

TEST_CASE("no key or an unknown key is refused with 401 before the upgrade") {
  ApiFixture api;
  CHECK(upgrade_status(api.port(), kPath) == 401);
  CHECK(upgrade_status(api.port(), std::string(kPath) + "?api-key=wrong") == 401);
  CHECK(upgrade_status(api.port(), kPath, {{"X-API-Key", ""}}) == 401);
  CHECK(upgrade_status(api.port(), kPath, {{"Authorization", "Basic abc"}}) == 401);
  auto refused = http_call(api.port(), http::verb::get, kPath);
  CHECK(refused.status == 401);
  api.on_io([&] { CHECK(api.server().open_sessions() == 0); });
}

TEST_CASE("a key is accepted from each of the six places, and on both paths") {
  ApiFixture api;
  const std::string key = kViewerKey;
  std::vector<std::pair<std::string, std::map<std::string, std::string>>> places = {
      {kPath, {{"X-API-Key", key}}},
      {kPath, {{"Authorization", "Bearer " + key}}},
      {std::string(kPath) + "?api-key=" + key, {}},
      {std::string(kPath) + "?fixed_device=true&bearer_token=" + key, {}},
      {kPath, {{"Cookie", "theme=dark; api-key=" + key}}},
      {kPath, {{"Cookie", "bearer_token=" + key}}},
      {"/control/websocket?api-key=" + key, {}},
  };
  for (const auto& [target, headers] : places) {
    INFO(target);
    WsClient client(api.port(), target, headers);
    CHECK(client.request(req(1, "bind"))["type"] == "success");
  }
  // A key stored only as its SHA-256.
  auto hashed = WsClient::with_key(api.port(), kHashedKey);
  CHECK(hashed.request(req(1, "bind"))["type"] == "success");
}

TEST_CASE("each role against each command") {
  ApiFixture api;
  struct Case {
    const char* key;
    const char* cmd;
    bool allowed;
  };
  const Case cases[] = {
      {kViewerKey, "bind", true},     {kViewerKey, "unbind", true}, {kViewerKey, "exec", false},
      {kViewerKey, "debug", false},   {kOperatorKey, "bind", true}, {kOperatorKey, "exec", true},
      {kOperatorKey, "debug", false}, {kAdminKey, "bind", true},    {kAdminKey, "exec", true},
      {kAdminKey, "debug", true},     {kAdminKey, "ignore", true},
  };
  for (const auto& c : cases) {
    INFO(c.key << " " << c.cmd);
    auto client = WsClient::with_key(api.port(), c.key);
    auto answer = client.request(req(1, c.cmd));
    if (c.allowed) {
      CHECK(answer["type"] == "success");
    } else {
      CHECK(answer["type"] == "error");
      CHECK(answer["code"] == 2);
      CHECK_THAT(answer["msg"].get<std::string>(), Catch::Contains("needs role"));
    }
  }
}

TEST_CASE("privileged methods need an admin key") {
  ApiFixture api;
  Json reset = {
      {"id", 1}, {"cmd", "exec"}, {"sys", "sys-1"}, {"mod", "Display"}, {"name", "factory_reset"}};
  auto op = WsClient::with_key(api.port(), kOperatorKey);
  auto denied = op.request(reset);
  CHECK(denied["code"] == 2);
  CHECK_THAT(denied["msg"].get<std::string>(), Catch::Contains("privileged"));
  api.on_io([&] { CHECK_FALSE(api.runtime().state().get("mod-a", "reset").has_value()); });
  auto admin = WsClient::with_key(api.port(), kAdminKey);
  CHECK(admin.request(reset)["value"] == true);
  auto rest = http_call(api.port(), http::verb::post,
                        "/api/engine/v2/systems/sys-1/Display_1/factory_reset", "",
                        {{"X-API-Key", kOperatorKey}});
  CHECK(rest.status == 403);
}

TEST_CASE("a key scoped to another system gets error 2 here and works there") {
  ApiFixture api;
  auto client = WsClient::with_key(api.port(), kOtherSystemKey);
  auto denied = client.request(req(1, "bind"));
  CHECK(denied["code"] == 2);
  CHECK(denied["msg"] == "key other may not access system sys-1");
  CHECK(client.request(req(2, "exec"))["code"] == 2);
  CHECK(client.request(req(3, "exec", "sys-2"))["type"] == "success");
  // Out of scope is denied even for systems that do not exist: nothing leaks.
  CHECK(client.request(req(4, "bind", "sys-404"))["code"] == 2);
}
