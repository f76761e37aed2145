// Per-connection bounds: bindings (api.max_bindings), debug streams (the same bound) and execs
// in flight (api.max_execs_in_flight). Past them a request is refused with a message that names
// the limit, and nothing else on the connection changes.
#include "tests/uplink/api_fixture.hpp"
#include "uplink/http/api_context.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace roomd;
using namespace roomd::test;
using namespace std::chrono_literals;

namespace {

Json bind(int id, const std::string& name) {
  return {{"id", id}, {"cmd", "bind"}, {"sys", "sys-1"}, {"mod", "Display"}, {"name", name}};
}

}  // namespace

TEST_CASE("bindings past api.max_bindings are refused with code 1 naming the limit") {
  ApiOptions options;
  options.max_bindings = 5;
  ApiFixture api(options);
  auto client = WsClient::with_key(api.port(), kViewerKey);
  for (int i = 0; i < 5; ++i)
    REQUIRE(client.request(bind(i, "v" + std::to_string(i)))["type"] == "success");
  auto refused = client.request(bind(5, "v5"));
  CHECK(refused["type"] == "error");
  CHECK(refused["code"] == 1);
  CHECK(refused["id"] == 5);
  CHECK(refused["msg"] ==
        "binding limit reached: this connection has 5 bindings (api.max_bindings); unbind some "
        "first");
  // A variable already bound still answers success (it is not a new binding).
  CHECK(client.request(bind(6, "v0"))["type"] == "success");
  // After an unbind there is room again.
  Json unbind = bind(7, "v1");
  unbind["cmd"] = "unbind";
  CHECK(client.request(unbind)["type"] == "success");
  CHECK(client.request(bind(8, "v5"))["type"] == "success");
  // The bound variables still notify.
  api.set_status("mod-a", "v5", 1);
  auto notify = client.read_json();
  CHECK(notify["type"] == "notify");
  CHECK(notify["id"] == 8);
  // Another connection has its own count.
  auto other = WsClient::with_key(api.port(), kViewerKey);
  CHECK(other.request(bind(1, "v9"))["type"] == "success");
  api.on_io([&] { CHECK(api.server().context().metrics.limit_refusals == 1); });
}

TEST_CASE("binds on one connection stop at the default bound of 1,000") {
  ApiFixture api;
  auto client = WsClient::with_key(api.port(), kViewerKey);
  int refused = 0;
  for (int i = 0; i < 1200; ++i) {
    auto answer = client.request(bind(i, "missing-" + std::to_string(i)));
    if (answer["type"] == "error") {
      CHECK(answer["code"] == 1);
      ++refused;
    }
  }
  CHECK(refused == 200);
  api.on_io([&] { CHECK(api.server().context().hub.bindings() == 1000); });
}

TEST_CASE("debug streams share the bound, a second debug of one module replaces the first") {
  ApiOptions options;
  options.max_bindings = 2;
  ApiFixture api(options);
  auto client = WsClient::with_key(api.port(), kAdminKey);
  auto debug = [&](int id, const char* mod, int index) {
    return client.request(
        {{"id", id}, {"cmd", "debug"}, {"sys", "sys-1"}, {"mod", mod}, {"index", index}});
  };
  CHECK(debug(1, "Display", 1)["type"] == "success");
  CHECK(debug(2, "Display", 2)["type"] == "success");
  CHECK(debug(3, "Display", 1)["type"] == "success");  // replaces, not a third
  auto refused = debug(4, "Switcher", 1);
  CHECK(refused["code"] == 1);
  CHECK(refused["msg"] ==
        "debug stream limit reached: this connection debugs 2 modules (api.max_bindings); ignore "
        "some first");
}

TEST_CASE("execs past api.max_execs_in_flight fail with code 3, the others complete") {
  ApiOptions options;
  options.max_execs_in_flight = 3;
  ApiFixture api(options);
  auto client = WsClient::with_key(api.port(), kOperatorKey);
  auto hold = [](int id, int ms) {
    return Json{{"id", id},         {"cmd", "exec"},  {"sys", "sys-1"},
                {"mod", "Display"}, {"name", "hold"}, {"args", {ms}}};
  };
  for (int i = 1; i <= 3; ++i) client.send(hold(i, 300).dump());
  client.send(hold(4, 1).dump());
  // The fourth is refused at once, before the held three answer.
  auto refused = client.read_json();
  CHECK(refused["id"] == 4);
  CHECK(refused["code"] == 3);
  CHECK(refused["msg"] ==
        "too many execs in flight on this connection (3, api.max_execs_in_flight); wait for "
        "their answers. hold was not run");
  std::set<int> done;
  for (int i = 0; i < 3; ++i) {
    auto answer = client.read_json();
    CHECK(answer["type"] == "success");
    done.insert(answer["id"].get<int>());
  }
  CHECK(done == std::set<int>{1, 2, 3});
  // Answered execs free their places.
  CHECK(client.request(hold(5, 1))["type"] == "success");
}
