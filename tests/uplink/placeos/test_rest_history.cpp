// GET …/systems/{sys}/{mod}_{index}/{name}/history: the recorded values of one variable, with
// the query's range, limit and order, and an exact error for every bad parameter.
#include "tests/uplink/api_fixture.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;

namespace {

const std::string kVolume = "/api/engine/v2/systems/sys-1/Display_1/volume/history";

HttpResult get(ApiFixture& api, const std::string& target, const char* key = kViewerKey) {
  std::map<std::string, std::string> headers;
  if (key) headers["X-API-Key"] = key;
  return http_call(api.port(), http::verb::get, target, "", headers);
}

// The values of a history answer's points, checking each point is [t, value].
std::vector<Json> values(const HttpResult& result) {
  std::vector<Json> out;
  const Json body = result.json();
  for (const auto& point : body.at("points")) {
    REQUIRE(point.size() == 2);
    CHECK(point[0].is_number());
    out.push_back(point[1]);
  }
  return out;
}

}  // namespace

TEST_CASE("REST history answers a variable's points newest first by default") {
  ApiFixture api;
  for (int level : {5, 10, 15, 20}) api.set_status("mod-a", "volume", level);

  auto all = get(api, kVolume);
  REQUIRE(all.status == 200);
  CHECK(all.json()["module"] == "mod-a");
  CHECK(all.json()["name"] == "volume");
  CHECK(values(all) == std::vector<Json>{20, 15, 10, 5});
  CHECK(values(get(api, kVolume + "?sort=asc&limit=2")) == std::vector<Json>{5, 10});
  CHECK(values(get(api, kVolume + "?limit=1")) == std::vector<Json>{20});

  // since and until are inclusive Unix seconds, taken from the points themselves.
  const auto points = get(api, kVolume + "?sort=asc").json()["points"];
  const double second = points[1][0];
  const double third = points[2][0];
  // Written with all their digits, as a client copies them from an answer.
  CHECK(values(get(api, kVolume + "?sort=asc&since=" + Json(second).dump() +
                            "&until=" + Json(third).dump())) == std::vector<Json>{10, 15});
  // A variable never recorded has an empty history.
  auto none = get(api, "/api/engine/v2/systems/sys-1/Display_1/never_set/history");
  REQUIRE(none.status == 200);
  CHECK(none.json()["points"] == Json::array());
  // The same module under its other address.
  api.set_status("mod-c", "power", true);
  CHECK(values(get(api, "/api/engine/v2/systems/sys-2/Display_1/power/history", kAdminKey)) ==
        std::vector<Json>{true});
}

TEST_CASE("REST history refuses bad parameters with the parameter named") {
  ApiFixture api;
  const std::map<std::string, std::string> cases = {
      {"?since=yesterday", "since: expected Unix seconds"},
      {"?until=-5", "until: expected Unix seconds"},
      {"?since=1e999", "since: expected Unix seconds"},
      {"?limit=0", "limit: expected a whole number from 1 to 10000 (history.max_points)"},
      {"?limit=10001", "limit: expected a whole number from 1 to 10000"},
      {"?limit=ten", "limit: expected a whole number"},
      {"?sort=up", "sort: expected asc or desc, got 'up'"},
      {"?sice=5", "unknown parameter 'sice'; the history takes since, until, limit and sort"},
      {"?since=20&until=10", "since is after until"},
  };
  for (const auto& [query, message] : cases) {
    INFO(query);
    auto result = get(api, kVolume + query);
    CHECK(result.status == 400);
    CHECK(result.json()["code"] == 1);
    CHECK_THAT(result.json()["msg"].get<std::string>(), Catch::StartsWith(message));
  }
}

TEST_CASE("REST history is under the same keys and scopes as the module") {
  ApiFixture api;
  api.set_status("mod-a", "volume", 7);
  CHECK(get(api, kVolume, nullptr).status == 401);
  CHECK(get(api, kVolume, kOtherSystemKey).status == 403);
  CHECK(get(api, "/api/engine/v2/systems/sys-1/Display_9/volume/history").status == 404);
  CHECK(get(api, "/api/engine/v2/systems/sys-7/Display_1/volume/history", kAdminKey).status == 404);
  CHECK(http_call(api.port(), http::verb::post, kVolume, "", {{"X-API-Key", kAdminKey}}).status ==
        405);
}

TEST_CASE("REST history reads what a burst of changes recorded while execs go on") {
  ApiFixture api;
  for (int i = 0; i < 10000; ++i) api.set_status("mod-a", "volume", i % 101);
  // An exec during the burst's commit is answered as usual.
  auto exec =
      http_call(api.port(), http::verb::post, "/api/engine/v2/systems/sys-1/Display_1/power",
                "[true]", {{"X-API-Key", kOperatorKey}});
  CHECK(exec.status == 200);
  auto newest = values(get(api, kVolume + "?limit=3"));
  CHECK(newest == std::vector<Json>{9999 % 101, 9998 % 101, 9997 % 101});
  api.runtime().flush();
  CHECK(values(get(api, kVolume + "?limit=10000")).size() == 10000);
}
