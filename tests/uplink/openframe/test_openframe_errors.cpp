// What OpenFrame answers to bad input: SUBSCRIPTION_ERROR naming the unknown topic or filter
// (the whole subscribe refused), CONNECTION_ERROR for what is not a message at all (the
// connection stays open), 1009 for a frame over api.max_frame; and a client that vanishes
// mid-stream leaves nothing behind.
#include "tests/uplink/openframe/openframe_client.hpp"

#include "runtime/alert_book.hpp"
#include "uplink/http/api_context.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;

namespace {

// The error answering `message`, then proof that the connection still serves.
Json error_for(WsClient& client, const std::string& message) {
  client.send(message);
  auto error = client.read_json();
  client.send(subscribe({"alerts"}).dump());
  CHECK(client.read_json()["type"] == "subscription_confirmed");
  return error;
}

}  // namespace

TEST_CASE("openframe: an unknown topic or filter refuses the whole subscribe, naming it") {
  ApiFixture api;
  auto client = openframe_client(api.port(), kAdminKey);
  client.send(subscribe({"devices", "weather"}).dump());
  auto error = client.read_json();
  CHECK(error["type"] == "error");
  CHECK(error["code"] == "SUBSCRIPTION_ERROR");
  CHECK_THAT(error["message"].get<std::string>(), Catch::Contains("\"weather\""));
  CHECK(error["timestamp"].is_string());
  // Nothing of it was subscribed: no device snapshot, no confirmation.
  CHECK(drain_openframe(client).empty());

  client.send(subscribe({"devices"}, {{"colour", "red"}}).dump());
  error = client.read_json();
  CHECK(error["code"] == "SUBSCRIPTION_ERROR");
  CHECK_THAT(error["message"].get<std::string>(), Catch::Contains("\"colour\""));
  CHECK(drain_openframe(client).empty());

  client.send(Json{{"type", "unsubscribe"}, {"topics", {"weather"}}}.dump());
  CHECK(client.read_json()["code"] == "SUBSCRIPTION_ERROR");
}

TEST_CASE("openframe: wrong types in a subscribe are SUBSCRIPTION_ERROR with what is expected") {
  ApiFixture api;
  auto client = openframe_client(api.port(), kAdminKey);
  const std::vector<std::pair<Json, std::string>> cases = {
      {{{"type", "subscribe"}}, "\"topics\" is missing"},
      {{{"type", "subscribe"}, {"topics", "devices"}}, "non-empty list"},
      {{{"type", "subscribe"}, {"topics", Json::array()}}, "non-empty list"},
      {{{"type", "subscribe"}, {"topics", {1, 2}}}, "topic names"},
      {subscribe({"alerts"}, "high"), "filters must be an object"},
      {subscribe({"alerts"}, {{"severity", 3}}), "a string or a list of strings"},
      {subscribe({"alerts"}, {{"severity", {"high", nullptr}}}), "a string or a list of strings"},
      {subscribe({"alerts"}, {{"severity", "urgent"}}), "unknown value \"urgent\""},
      {subscribe({"devices"}, {{"status", "sleeping"}}), "unknown value \"sleeping\""},
  };
  for (const auto& [message, expected] : cases) {
    INFO(message.dump());
    auto error = error_for(client, message.dump());
    CHECK(error["code"] == "SUBSCRIPTION_ERROR");
    CHECK_THAT(error["message"].get<std::string>(), Catch::Contains(expected));
  }
}

TEST_CASE("openframe: what is not a message is CONNECTION_ERROR and the connection stays open") {
  ApiFixture api;
  auto client = openframe_client(api.port(), kAdminKey);
  std::string deep(10000, '[');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"type\": \"subscribe\",", "invalid JSON"},
      {"", "invalid JSON"},
      {deep, "invalid JSON"},
      {"[1, 2]", "must be a JSON object"},
      {"{\"topics\": [\"devices\"]}", "\"type\" must be"},
      {"{\"type\": 7}", "\"type\" must be"},
      {"{\"type\": \"ping\"}", "unknown message type \"ping\""},
  };
  for (const auto& [message, expected] : cases) {
    INFO(message.substr(0, 40));
    auto error = error_for(client, message);
    CHECK(error["type"] == "error");
    CHECK(error["code"] == "CONNECTION_ERROR");
    CHECK_THAT(error["message"].get<std::string>(), Catch::Contains(expected));
  }
  client.send_binary("\x01\x02");
  auto error = client.read_json();
  CHECK(error["code"] == "CONNECTION_ERROR");
  CHECK_THAT(error["message"].get<std::string>(), Catch::Contains("binary"));
}

TEST_CASE("openframe: a message over api.max_frame closes the connection with 1009") {
  ApiOptions options;
  options.max_frame = 1024;
  ApiFixture api(options);
  auto client = openframe_client(api.port(), kAdminKey);
  client.send(subscribe({"devices"}, {{"device_id", std::string(4096, 'x')}}).dump());
  CHECK_THROWS_AS(client.read(), beast::system_error);
  CHECK(client.close_code() == 1009);
  // The server carries on.
  auto next = openframe_client(api.port(), kAdminKey);
  next.send(subscribe({"alerts"}).dump());
  CHECK(next.read_json()["type"] == "subscription_confirmed");
}

TEST_CASE("openframe: a client that disconnects mid-stream leaves no subscription behind") {
  ApiOptions options;
  options.status_every = std::chrono::milliseconds(20);
  ApiFixture api(options);
  {
    auto client = openframe_client(api.port(), kAdminKey);
    client.send(subscribe({"devices", "alerts", "system_status"}).dump());
    CHECK(client.read_json()["type"] == "subscription_confirmed");
    CHECK(wait_until_on(api, [&] { return api.server().context().hub.bindings() == 4; }));
    // Gone without a close frame, while events are on their way.
    beast::error_code ignored;
    beast::get_lowest_layer(client.stream()).close(ignored);
  }
  api.set_status("mod-a", "connected", false);
  api.runtime().alerts().raise(
      Alert{"offline/mod-a", "Display offline", AlertSeverity::high, "mod-a", "sys-1", 0});
  CHECK(wait_until_on(api, [&] {
    return api.server().open_sessions() == 0 && api.server().context().hub.bindings() == 0;
  }));
  auto next = openframe_client(api.port(), kAdminKey);
  next.send(subscribe({"devices"}).dump());
  CHECK(next.read_json()["type"] == "subscription_confirmed");
  CHECK(device_updates(drain_openframe(next)).at("mod-a")["data"]["status"] == "offline");
}
