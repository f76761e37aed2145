// Where alerts show: GET /api/engine/v2/alerts (the key's systems and the box's own, oldest
// first), /metrics (active alerts by severity, every severity present) and the outbox
// (one `alert` record per raise and per clear).
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"
#include "tests/uplink/api_fixture.hpp"
#include "uplink/core/recorder.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/outbox/outbox.hpp"

#include <catch2/catch.hpp>

#include <regex>

using namespace roomd;
using namespace roomd::test;

namespace {

HttpResult get(ApiFixture& api, const std::string& target, const char* key = kAdminKey) {
  std::map<std::string, std::string> headers;
  if (key) headers["X-API-Key"] = key;
  return http_call(api.port(), http::verb::get, target, "", headers);
}

Alert alert(std::string id, std::string sys, AlertSeverity severity, double raised_at) {
  Alert a;
  a.id = std::move(id);
  a.title = "title of " + a.id;
  a.severity = severity;
  a.module = sys.empty() ? "" : "mod-a";
  a.sys = std::move(sys);
  a.raised_at = raised_at;
  return a;
}

// The three alerts of these tests: one per system and the box's own.
void raise_three(ApiFixture& api) {
  api.on_io([&] {
    auto& book = api.runtime().alerts();
    book.raise(alert("rule/0", "sys-1", AlertSeverity::medium, 1000.25));
    book.raise(alert("log/roomd", "", AlertSeverity::high, 1001));
    book.raise(alert("driver/mod-c/lamp", "sys-2", AlertSeverity::high, 1002));
  });
}

std::vector<std::string> ids(const Json& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.push_back(a.at("id").get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("GET /api/engine/v2/alerts lists the key's alerts oldest first", "[alerts]") {
  ApiFixture api;
  CHECK(get(api, "/api/engine/v2/alerts").json() == Json::array());
  raise_three(api);

  auto all = get(api, "/api/engine/v2/alerts");
  REQUIRE(all.status == 200);
  CHECK_THAT(all.content_type, Catch::StartsWith("application/json"));
  const auto body = all.json();
  CHECK(ids(body) == std::vector<std::string>{"rule/0", "log/roomd", "driver/mod-c/lamp"});
  CHECK(body[0] == Json{{"id", "rule/0"},
                        {"title", "title of rule/0"},
                        {"severity", "medium"},
                        {"module", "mod-a"},
                        {"sys", "sys-1"},
                        {"raised_at", 1000.25}});
  CHECK(body[1]["module"] == "");
  CHECK(body[1]["sys"] == "");

  // A key for sys-2 only: its system's alert and the box's, not sys-1's.
  CHECK(ids(get(api, "/api/engine/v2/alerts", kOtherSystemKey).json()) ==
        std::vector<std::string>{"log/roomd", "driver/mod-c/lamp"});
  CHECK(ids(get(api, "/api/engine/v2/alerts", kViewerKey).json()) ==
        std::vector<std::string>{"rule/0", "log/roomd"});
  CHECK(get(api, "/api/engine/v2/alerts", nullptr).status == 401);
  CHECK(get(api, "/api/engine/v2/alerts", "not-a-key").status == 401);
  CHECK(http_call(api.port(), http::verb::post, "/api/engine/v2/alerts", "",
                  {{"X-API-Key", kAdminKey}})
            .status == 405);

  api.on_io([&] { api.runtime().alerts().clear("log/roomd"); });
  CHECK(ids(get(api, "/api/engine/v2/alerts").json()) ==
        std::vector<std::string>{"rule/0", "driver/mod-c/lamp"});
}

TEST_CASE("/metrics counts active alerts by severity, every severity present", "[alerts]") {
  ApiFixture api;
  auto sample = [&](const std::string& body, const char* severity) {
    std::smatch match;
    const std::regex line("\nroomd_alerts_active\\{severity=\"" + std::string(severity) +
                          "\"\\} ([0-9]+)\n");
    return std::regex_search(body, match, line) ? std::stoi(match[1]) : -1;
  };
  auto before = get(api, "/metrics").body;
  CHECK_THAT(before, Catch::Contains("# TYPE roomd_alerts_active gauge"));
  for (const char* severity : {"low", "medium", "high", "critical"})
    CHECK(sample(before, severity) == 0);
  raise_three(api);
  auto after = get(api, "/metrics").body;
  CHECK(sample(after, "low") == 0);
  CHECK(sample(after, "medium") == 1);
  CHECK(sample(after, "high") == 2);
  CHECK(sample(after, "critical") == 0);
}

TEST_CASE("every raise and clear is an outbox record of kind alert", "[alerts]") {
  ApiFixture api;
  TempDir dir;
  OutboxOptions options;
  options.dir = dir.path();
  options.box_id = "box-api";
  options.commit_every = std::chrono::milliseconds(2);
  options.log = [](LogLevel, std::string) {};
  Outbox outbox(options);
  std::unique_ptr<Recorder> recorder;
  api.on_io([&] {
    recorder = std::make_unique<Recorder>(api.server().context(), outbox);
    recorder->start();
  });
  api.on_io([&] {
    // raised_at now: the outbox keeps records by their age.
    api.runtime().alerts().raise(alert("driver/mod-c/lamp", "sys-2", AlertSeverity::high, 0));
    api.runtime().alerts().clear("driver/mod-c/lamp");
  });
  std::vector<Json> records;
  REQUIRE(wait_until([&] {
    outbox.flush();
    records.clear();
    for (const auto& stored : outbox.read_after({}, 1000)) {
      auto record = Json::parse(stored.text);
      if (record.at("kind") == "alert") records.push_back(record);
    }
    return records.size() >= 2;
  }));
  REQUIRE(records.size() == 2);
  CHECK(records[0].at("id") == "driver/mod-c/lamp");
  CHECK(records[0].at("title") == "title of driver/mod-c/lamp");
  CHECK(records[0].at("severity") == "high");
  CHECK(records[0].at("module") == "mod-a");
  CHECK(records[0].at("sys") == "sys-2");
  CHECK(records[0].at("state") == "raised");
  CHECK(records[0].at("ts").get<double>() > 1.7e9);
  CHECK(records[1].at("ts") >= records[0].at("ts"));
  CHECK(records[1].at("state") == "cleared");
  CHECK(records[1].at("id") == "driver/mod-c/lamp");
  CHECK(records[1].at("box") == "box-api");
  api.on_io([&] { recorder.reset(); });
  outbox.stop();
}
