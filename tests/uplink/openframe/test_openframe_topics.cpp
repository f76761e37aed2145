// OpenFrame's topics end to end: devices (a snapshot after the confirmation, then every
// connect and disconnect), alerts (from the runtime's alert book), system_status (at once,
// then periodically), their filters, the key's scope, unsubscribe and ?envelope=event.
#include "tests/uplink/openframe/openframe_client.hpp"

#include "runtime/alert_book.hpp"
#include "uplink/http/api_context.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;

namespace {

bool is_type(const Json& m, const char* type) {
  return m.value("type", "") == type;
}

void raise_alert(ApiFixture& api, std::string id, AlertSeverity severity, std::string module,
                 std::string sys) {
  api.runtime().alerts().raise(
      Alert{std::move(id), "Projector offline", severity, std::move(module), std::move(sys), 0});
}

}  // namespace

TEST_CASE("openframe: devices sends a snapshot after the confirmation, then each change") {
  ApiFixture api;
  auto client = openframe_client(api.port(), kAdminKey);
  client.send(subscribe({"devices"}).dump());
  auto confirmed = client.read_json();
  CHECK(confirmed["type"] == "subscription_confirmed");
  CHECK(confirmed["topics"] == Json{"devices"});

  auto snapshot = device_updates(drain_openframe(client));
  REQUIRE(snapshot.size() == 4);
  const auto& a = snapshot.at("mod-a");
  CHECK(a["topic"] == "devices");
  CHECK(a["data"]["name"] == "Display_1");
  CHECK(a["data"]["system"] == "sys-1");
  CHECK(a["data"]["status"] == "online");
  CHECK(a["data"]["last_seen"].is_string());
  CHECK(snapshot.at("mod-b")["data"]["name"] == "Display_2");
  CHECK(snapshot.at("mod-c")["data"]["system"] == "sys-2");
  CHECK(snapshot.at("mod-net")["data"]["name"] == "Switcher_1");
  CHECK(snapshot.at("mod-net")["data"]["status"] == "offline");

  api.set_status("mod-a", "connected", false);
  auto offline = client.read_json();
  CHECK(offline["type"] == "device_update");
  CHECK(offline["data"]["id"] == "mod-a");
  CHECK(offline["data"]["status"] == "offline");
  CHECK(offline["data"]["last_seen"].is_string());
  api.set_status("mod-a", "connected", true);
  auto online = client.read_json();
  CHECK(online["data"]["id"] == "mod-a");
  CHECK(online["data"]["status"] == "online");
  // No change, no event.
  api.set_status("mod-a", "connected", true);
  CHECK(drain_openframe(client).empty());
}

TEST_CASE("openframe: device filters by system, status and device id, as a string or a list") {
  ApiFixture api;
  auto client = openframe_client(api.port(), kAdminKey);
  client.send(subscribe({"devices"}, {{"system", "sys-1"}, {"status", {"online"}}}).dump());
  CHECK(client.read_json()["type"] == "subscription_confirmed");
  auto snapshot = device_updates(drain_openframe(client));
  CHECK(snapshot.size() == 2);
  CHECK(snapshot.count("mod-a") == 1);
  CHECK(snapshot.count("mod-b") == 1);
  // Going offline leaves the filter: not sent. Coming back: sent.
  api.set_status("mod-b", "connected", false);
  api.set_status("mod-c", "connected", false);
  api.set_status("mod-b", "connected", true);
  auto changes = drain_openframe(client);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0]["data"]["id"] == "mod-b");
  CHECK(changes[0]["data"]["status"] == "online");

  // Subscribing again replaces the filters and sends the snapshot again.
  client.send(subscribe({"devices"}, {{"device_id", {"mod-c", "mod-net"}}}).dump());
  CHECK(client.read_json()["type"] == "subscription_confirmed");
  auto again = device_updates(drain_openframe(client));
  CHECK(again.size() == 2);
  CHECK(again.count("mod-c") == 1);
  CHECK(again.count("mod-net") == 1);
}

TEST_CASE("openframe: a key sees only the devices of its systems") {
  ApiFixture api;
  auto client = openframe_client(api.port(), kOtherSystemKey);  // sys-2 only
  client.send(subscribe({"devices"}).dump());
  CHECK(client.read_json()["type"] == "subscription_confirmed");
  auto snapshot = device_updates(drain_openframe(client));
  REQUIRE(snapshot.size() == 1);
  CHECK(snapshot.count("mod-c") == 1);
  api.set_status("mod-a", "connected", false);
  CHECK(drain_openframe(client).empty());
}

TEST_CASE("openframe: alerts sends alert_created for raised alerts, filtered by severity") {
  ApiFixture api;
  auto client = openframe_client(api.port(), kAdminKey);
  client.send(subscribe({"alerts", "devices"}, {{"severity", {"high", "critical"}}}).dump());
  auto confirmed = client.read_json();
  CHECK(confirmed["topics"] == Json{"devices", "alerts"});
  drain_openframe(client);

  raise_alert(api, "offline/mod-net", AlertSeverity::high, "mod-net", "sys-1");
  raise_alert(api, "rule/0", AlertSeverity::low, "mod-a", "sys-1");
  raise_alert(api, "box/disk", AlertSeverity::critical, "", "");
  api.runtime().alerts().clear("offline/mod-net");  // a clearing is no alert_created
  auto events = drain_openframe(client);
  REQUIRE(events.size() == 2);
  CHECK(events[0]["type"] == "alert_created");
  CHECK(events[0]["topic"] == "alerts");
  CHECK(events[0]["data"] == Json{{"id", "offline/mod-net"},
                                  {"title", "Projector offline"},
                                  {"severity", "high"},
                                  {"device_id", "mod-net"},
                                  {"system", "sys-1"}});
  CHECK(events[1]["data"]["id"] == "box/disk");
  CHECK(events[1]["data"]["device_id"].is_null());
}

TEST_CASE("openframe: a key sees only the alerts of its systems' modules") {
  ApiFixture api;
  auto client = openframe_client(api.port(), kOtherSystemKey);  // sys-2 only
  client.send(subscribe({"alerts"}).dump());
  CHECK(client.read_json()["type"] == "subscription_confirmed");
  raise_alert(api, "offline/mod-a", AlertSeverity::high, "mod-a", "sys-1");
  raise_alert(api, "box/disk", AlertSeverity::critical, "", "");
  raise_alert(api, "offline/mod-c", AlertSeverity::high, "mod-c", "sys-2");
  auto events = drain_openframe(client);
  REQUIRE(events.size() == 1);
  CHECK(events[0]["data"]["id"] == "offline/mod-c");
}

TEST_CASE("openframe: system_status comes at once, then every status_every") {
  ApiOptions options;
  options.status_every = std::chrono::milliseconds(200);
  ApiFixture api(options);
  auto client = openframe_client(api.port(), kAdminKey);
  client.send(subscribe({"system_status"}).dump());
  CHECK(client.read_json()["type"] == "subscription_confirmed");
  auto first = client.read_json();
  CHECK(first["type"] == "system_status");
  CHECK(first["topic"] == "system_status");
  const auto& data = first["data"];
  CHECK(data["status"] == "degraded");  // mod-net is offline
  const auto& metrics = data["metrics"];
  CHECK(metrics["modules_total"] == 4);
  CHECK(metrics["modules_online"] == 3);
  for (const char* name : {"cpu_usage", "memory_usage", "disk_usage"}) {
    INFO(name);
    CHECK(metrics[name].is_number());
    CHECK(metrics[name].get<double>() >= 0);
    CHECK(metrics[name].get<double>() <= 100);
  }
  CHECK(metrics["memory_usage"].get<double>() > 0);
  CHECK(metrics["disk_usage"].get<double>() > 0);
  CHECK(metrics["uptime_s"].is_number_integer());
  CHECK(metrics["uptime_s"].get<long>() >= 0);

  // Periodic, and following the modules.
  api.set_status("mod-a", "connected", false);
  auto later = read_until(client, [](const Json& m) {
    return is_type(m, "system_status") && m["data"]["metrics"]["modules_online"] == 2;
  });
  CHECK(later.back()["data"]["status"] == "degraded");
}

TEST_CASE("openframe: system_status is healthy when every module of the key is online") {
  ApiFixture api;
  auto client = openframe_client(api.port(), kOtherSystemKey);  // sys-2: mod-c alone
  client.send(subscribe({"system_status"}).dump());
  CHECK(client.read_json()["type"] == "subscription_confirmed");
  auto status = client.read_json();
  CHECK(status["data"]["status"] == "healthy");
  CHECK(status["data"]["metrics"]["modules_total"] == 1);
  CHECK(status["data"]["metrics"]["modules_online"] == 1);
}

TEST_CASE("openframe: unsubscribe confirms the remaining topics and stops their events") {
  ApiOptions options;
  options.status_every = std::chrono::milliseconds(100);
  ApiFixture api(options);
  auto client = openframe_client(api.port(), kAdminKey);
  client.send(subscribe({"devices", "alerts", "system_status"}).dump());
  CHECK(client.read_json()["topics"] == Json{"devices", "alerts", "system_status"});
  client.send(Json{{"type", "unsubscribe"}, {"topics", {"devices", "system_status"}}}.dump());
  auto confirmed =
      read_until(client, [](const Json& m) { return is_type(m, "subscription_confirmed"); });
  CHECK(confirmed.back()["topics"] == Json{"alerts"});
  drain_openframe(client);
  api.set_status("mod-a", "connected", false);
  // A watcher's status events show that periods went by.
  auto watcher = openframe_client(api.port(), kAdminKey);
  watcher.send(subscribe({"system_status"}).dump());
  int statuses = 0;
  read_until(watcher,
             [&](const Json& m) { return is_type(m, "system_status") && ++statuses == 3; });
  raise_alert(api, "offline/mod-a", AlertSeverity::high, "mod-a", "sys-1");
  // The alert comes; no device_update, and no system_status in the periods since.
  auto events = read_until(client, [](const Json& m) { return is_type(m, "alert_created"); });
  CHECK(events.size() == 1);
  CHECK(wait_until_on(api, [&] { return api.server().context().hub.bindings() == 0; }));
}

TEST_CASE("openframe: ?envelope=event wraps events, confirmations and errors keep their shape") {
  ApiFixture api;
  auto client = openframe_client(api.port(), kAdminKey, "?envelope=event");
  client.send(subscribe({"devices"}, {{"device_id", "mod-a"}}).dump());
  auto confirmed = client.read_json();
  CHECK(confirmed["type"] == "subscription_confirmed");
  auto event = client.read_json();
  CHECK(event["type"] == "event");
  CHECK(event["event"] == "device_update");
  CHECK(event["topic"] == "devices");
  CHECK(event["data"]["id"] == "mod-a");
  CHECK(event["timestamp"].is_string());
  client.send(subscribe({"weather"}).dump());
  auto error = client.read_json();
  CHECK(error["type"] == "error");
  CHECK(error["code"] == "SUBSCRIPTION_ERROR");
}
