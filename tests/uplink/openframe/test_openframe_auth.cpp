// OpenFrame checks its key itself: the upgrade is accepted without one, and a missing or bad
// key is answered with AUTH_ERROR and a close with 1008; a good key works from every place
// the native protocol takes it from, and a reload that removes it closes the connection.
#include "tests/uplink/openframe/openframe_client.hpp"

#include "uplink/http/api_context.hpp"

#include <catch2/catch.hpp>

#include <regex>

using namespace roomd;
using namespace roomd::test;

namespace {

// The AUTH_ERROR, then the close with 1008.
void check_refused(WsClient& client, const std::string& message) {
  auto error = client.read_json();
  CHECK(error["type"] == "error");
  CHECK(error["code"] == "AUTH_ERROR");
  CHECK(error["message"] == message);
  CHECK(std::regex_match(error["timestamp"].get<std::string>(),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  CHECK_THROWS_AS(client.read(), beast::system_error);
  CHECK(client.close_code() == 1008);
}

}  // namespace

TEST_CASE("openframe: no key is accepted, answered Missing token and closed with 1008") {
  ApiFixture api;
  LogRecorder log(api.runtime(), LogLevel::warn);
  CHECK(upgrade_status(api.port(), "/v1/ws") == 101);
  WsClient client(api.port(), "/v1/ws");
  check_refused(client, "Missing token");
  CHECK_FALSE(log.containing("refused with AUTH_ERROR: no API key").empty());
  CHECK(wait_until_on(api, [&] { return api.server().open_sessions() == 0; }));
}

TEST_CASE("openframe: a bad key in any place is answered Invalid token, its secret unlogged") {
  ApiFixture api;
  LogRecorder log(api.runtime(), LogLevel::warn);
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> places = {
      {"/v1/ws", {{"Authorization", "Bearer wrong-key-1"}}},
      {"/v1/ws", {{"X-API-Key", "wrong-key-1"}}},
      {"/v1/ws?api-key=wrong-key-1", {}},
      {"/v1/ws?bearer_token=wrong-key-1", {}},
      {"/v1/ws", {{"Cookie", "api-key=wrong-key-1"}}},
  };
  for (const auto& [target, headers] : places) {
    INFO(target);
    WsClient client(api.port(), target, headers);
    check_refused(client, "Invalid token");
  }
  CHECK_FALSE(log.containing("unknown API key (fingerprint").empty());
  CHECK(log.containing("wrong-key-1").empty());
}

TEST_CASE("openframe: messages after a refused key are not answered") {
  ApiFixture api;
  WsClient client(api.port(), "/v1/ws", {{"Authorization", "Bearer nope"}});
  client.send(subscribe({"devices"}).dump());
  check_refused(client, "Invalid token");
}

TEST_CASE("openframe: a key is accepted from each native place") {
  ApiFixture api;
  const std::string key = kViewerKey;
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> places = {
      {"/v1/ws", {{"Authorization", "Bearer " + key}}},
      {"/v1/ws", {{"X-API-Key", key}}},
      {"/v1/ws?api-key=" + key, {}},
      {"/v1/ws?bearer_token=" + key, {}},
      {"/v1/ws", {{"Cookie", "theme=dark; api-key=" + key}}},
      {"/v1/ws", {{"Cookie", "bearer_token=" + key}}},
      {"/v1/ws", {{"Authorization", std::string("Bearer ") + kHashedKey}}},
  };
  for (const auto& [target, headers] : places) {
    INFO(target);
    WsClient client(api.port(), target, headers);
    client.send(subscribe({"alerts"}).dump());
    auto confirmed = client.read_json();
    CHECK(confirmed["type"] == "subscription_confirmed");
    CHECK(confirmed["topics"] == Json{"alerts"});
  }
}

TEST_CASE("openframe: a reload that removes the key closes the connection with 1008") {
  ApiFixture api;
  auto panel = openframe_client(api.port(), kOperatorKey);
  auto admin = openframe_client(api.port(), kAdminKey);
  panel.send(subscribe({"alerts"}).dump());
  admin.send(subscribe({"alerts"}).dump());
  CHECK(panel.read_json()["type"] == "subscription_confirmed");
  CHECK(admin.read_json()["type"] == "subscription_confirmed");
  auto keys = api.runtime().config().api.keys;
  std::erase_if(keys, [](const ApiKeyConfig& k) { return k.id == "panel"; });
  std::size_t revoked = 0;
  api.on_io([&] { revoked = api.server().replace_keys(keys); });
  CHECK(revoked == 1);
  CHECK_THROWS_AS(panel.read(), beast::system_error);
  CHECK(panel.close_code() == 1008);
  CHECK(drain_openframe(admin).empty());  // the admin's goes on
}
