// The fan-out with the io_context run by two threads: changes are set from a thread that is
// not the API's (as a driver's strand would), and every client still sees every change once
// and in order, while the same clients exec at the same time.
#include "tests/uplink/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <thread>

using namespace roomd;
using namespace roomd::test;

TEST_CASE("with two io threads every client sees every change once and in order") {
  ApiOptions options;
  options.io_threads = 2;
  ApiFixture api(options);
  constexpr int kClients = 4;
  constexpr int kChanges = 200;
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(std::make_unique<WsClient>(
        api.port(), "/api/engine/v2/systems/control?api-key=" + std::string(kOperatorKey)));
    auto answer = clients.back()->request(
        {{"id", c}, {"cmd", "bind"}, {"sys", "sys-1"}, {"mod", "Display"}, {"name", "counter"}});
    REQUIRE(answer["type"] == "success");
  }
  // Meanwhile the first client execs: answers and notifies share its connection.
  clients[0]->send(Json{
      {"id", "e"},
      {"cmd", "exec"},
      {"sys", "sys-1"},
      {"mod", "Display"},
      {"name", "power"},
      {"args", {true}}}.dump());
  // Not the API strand, not the io threads: listeners run here and must hand over.
  std::thread setter([&] {
    for (int i = 1; i <= kChanges; ++i) api.runtime().state().set("mod-a", "counter", i);
  });
  setter.join();
  for (int c = 0; c < kClients; ++c) {
    INFO("client " << c);
    std::vector<int> seen;
    bool answered = c != 0;
    while (seen.size() < kChanges) {
      auto message = clients[c]->read_json();
      if (message["type"] != "notify") {
        answered = answered || (message["id"] == "e" && message["type"] == "success");
        continue;
      }
      CHECK(message["meta"]["name"] == "counter");
      seen.push_back(message["value"].get<int>());
      if (seen.back() == kChanges) break;
    }
    if (!answered) answered = clients[c]->read_json()["id"] == "e";
    CHECK(answered);
    std::vector<int> expected;
    for (int i = 1; i <= kChanges; ++i) expected.push_back(i);
    CHECK(seen == expected);
    CHECK(clients[c]->drain().empty());  // nothing twice
  }
}
