// roomd run with store-and-forward: without a broker, what the outbox endpoint reports as
// committed survives a kill -9 in the middle of a burst, cycle after cycle, with the database
// intact and the boot epoch growing at every start; with one, the committed records of a
// killed run reach the broker after the restart, and online, state and cmd work end to end.
#include "tests/main/store_and_forward_support.hpp"
#include "tests/support/mqtt_test_subscriber.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <iterator>
#include <map>
#include <set>
#include <thread>

namespace roomd::test {

TEST_CASE("outbox endpoint is for admins and has the design fields", "[cli][outbox]") {
  TempDir dir;
  RoomdProcess roomd({"run", "--config", write_config(dir)});
  const int port = api_port(roomd);
  REQUIRE(port > 0);
  auto [status, body] = http(port, "GET", "/api/engine/v2/outbox", kOperatorKey);
  CHECK(status == "HTTP/1.1 403 Forbidden");
  CHECK(body.find("\"code\":2") != std::string::npos);
  auto report = outbox_report(port);
  REQUIRE(report.is_object());
  for (const char* field : {"epoch", "committed_seq", "acked_seq", "pending", "bytes", "evicted",
                            "refused", "connected"})
    CHECK(report.contains(field));
  CHECK(report["epoch"] == 1);
  CHECK(report["connected"] == false);
}

TEST_CASE("outbox: kill -9 mid-burst five times loses nothing committed", "[cli][outbox]") {
  TempDir dir;
  const auto config = write_config(dir);
  const auto db_path = dir.path() + "/outbox.db";
  for (std::int64_t cycle = 1; cycle <= 5; ++cycle) {
    INFO("cycle " << cycle);
    RoomdProcess roomd({"run", "--config", config});
    const int port = api_port(roomd);
    REQUIRE(port > 0);
    // A burst of execs (each one an audit record and a status change) until the kill.
    std::atomic<bool> burst{true};
    std::atomic<int> answered{0};
    std::thread client([&] {
      for (int level = 0; burst; level = (level + 1) % 100)
        if (!set_volume(port, level).empty()) ++answered;
    });
    // Generous: a loaded CI box may take seconds per fsync. The last report that came back
    // counts (one may time out while the machine is busy).
    nlohmann::json report;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto fresh = outbox_report(port); fresh.is_object()) report = std::move(fresh);
      if (answered > 20 && report.is_object() && report["committed_seq"].get<int>() > 40) break;
    }
    roomd.kill_hard();
    burst = false;
    client.join();
    REQUIRE(report.is_object());
    CHECK(report["epoch"] == cycle);
    const auto committed = report["committed_seq"].get<std::int64_t>();
    REQUIRE(committed > 40);
    CHECK(integrity(db_path) == "ok");
    // Nothing was acknowledged (no broker): every committed seq is there, from 1, no gaps.
    auto seqs = stored_seqs(db_path, cycle);
    REQUIRE(seqs.size() >= static_cast<std::size_t>(committed));
    for (std::int64_t i = 0; i < committed; ++i) REQUIRE(seqs[i] == i + 1);
  }
  // The next start is epoch 6, and every earlier epoch is still pending.
  RoomdProcess roomd({"run", "--config", config});
  const int port = api_port(roomd);
  REQUIRE(port > 0);
  auto report = outbox_report(port);
  CHECK(report["epoch"] == 6);
  CHECK(report["acked_seq"] == 0);
}

TEST_CASE("roomd run forwards to a broker and a kill -9 loses nothing committed",
          "[cli][upstream]") {
  MosquittoBroker broker;
  boost::asio::io_context io;
  MqttTestSubscriber sub(io, test_mqtt_options(broker));
  REQUIRE(sub.subscribe("roomd/room-9/#"));
  TempDir dir;
  const auto config = write_config(
      dir, R"({ "mqtt": { "url": ")" + broker.url() +
               R"(", "drain_rate": 0, "backoff_min": "100ms", "backoff_max": "500ms" } })");
  const std::string events = "roomd/room-9/events";

  std::int64_t committed = 0;
  {
    RoomdProcess roomd({"run", "--config", config});
    const int port = api_port(roomd);
    REQUIRE(port > 0);
    // Each one an audit record at least (the room has no devices to set a volume on).
    for (int level = 0; level < 30; ++level) REQUIRE_FALSE(set_volume(port, level).empty());
    // Commits are grouped on the outbox's writer: wait until the 30 audits are durable.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (committed < 30 && std::chrono::steady_clock::now() < deadline) {
      auto report = outbox_report(port);
      if (report.is_object()) committed = report["committed_seq"].get<std::int64_t>();
    }
    REQUIRE(committed >= 30);
    roomd.kill_hard();
  }
  // The will said the box went away.
  CHECK(wait_online(io, sub, false));

  RoomdProcess roomd({"run", "--config", config});
  REQUIRE(api_port(roomd) > 0);
  // Every record epoch 1 committed arrives (duplicates only as the same epoch and seq).
  std::set<std::int64_t> seen;
  const bool all = pump(
      io,
      [&] {
        seen.clear();
        for (const auto& record : payloads(sub, events))
          if (record["epoch"] == 1) seen.insert(record["seq"].get<std::int64_t>());
        return seen.size() >= static_cast<std::size_t>(committed) && *seen.begin() == 1 &&
               *std::prev(seen.end()) >= committed;
      },
      std::chrono::seconds(20));
  INFO("committed " << committed << ", received " << seen.size());
  REQUIRE(all);
  for (std::int64_t seq = 1; seq <= committed; ++seq) REQUIRE(seen.count(seq) == 1);
  for (const auto& record : payloads(sub, events)) CHECK(record["box"] == "room-9");

  // Online again, in the new epoch, and a request on cmd is answered on resp.
  CHECK(wait_online(io, sub, true, 2));
  sub.client().publish("roomd/room-9/cmd",
                       R"({"id": 77, "cmd": "exec", "sys": "sys-9", "mod": "System", "index": 1,
                           "name": "volume", "args": [12]})",
                       1, false);
  CHECK(pump(
      io,
      [&] {
        // Answered through the request core: the room has no device for it, so an error 3.
        for (const auto& answer : payloads(sub, "roomd/room-9/resp"))
          if (answer["id"] == 77 && answer["type"] == "error" && answer["code"] == 3) return true;
        return false;
      },
      std::chrono::seconds(30)));
  // The retained state of the room module: it is up.
  CHECK(pump(
      io,
      [&] {
        auto connected = payloads(sub, "roomd/room-9/state/sys-9/System_1/connected");
        return !connected.empty() && connected.back() == true;
      },
      std::chrono::seconds(30)));
  // A clean stop says offline itself.
  CHECK(roomd.stop() == 0);
  CHECK(wait_online(io, sub, false, 2));
}

TEST_CASE("kill -9 five times with the broker up in some cycles and down in others",
          "[cli][upstream]") {
  // The consumer keeps its session (3.1.1 without clean_session) and the broker persists it,
  // so what the broker acknowledged while the consumer was away still reaches it.
  MosquittoBroker broker(BrokerOptions{.persistence = true});
  boost::asio::io_context io;
  auto consumer = test_mqtt_options(broker, false, 311);
  consumer.client_id = "consumer";
  consumer.clean_session = false;
  MqttTestSubscriber sub(io, consumer);
  REQUIRE(sub.subscribe("roomd/room-9/events"));
  TempDir dir;
  const auto config = write_config(
      dir, R"({ "mqtt": { "url": ")" + broker.url() +
               R"(", "drain_rate": 0, "backoff_min": "100ms", "backoff_max": "300ms" } })");

  std::map<std::int64_t, std::int64_t> committed;  // epoch -> last committed seq
  bool broker_up = true;
  for (std::int64_t cycle = 1; cycle <= 5; ++cycle) {
    INFO("cycle " << cycle);
    const bool up = cycle % 2 == 0;
    if (up && !broker_up) broker.start();
    if (!up && broker_up) broker.stop();
    broker_up = up;
    RoomdProcess roomd({"run", "--config", config});
    const int port = api_port(roomd);
    REQUIRE(port > 0);
    std::atomic<bool> burst{true};
    std::thread client([&] {
      for (int level = 0; burst; level = (level + 1) % 100) set_volume(port, level);
    });
    std::int64_t last = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (last < 20 && std::chrono::steady_clock::now() < deadline) {
      auto report = outbox_report(port);
      if (report.is_object()) last = report["committed_seq"].get<std::int64_t>();
      io.poll();
    }
    roomd.kill_hard();
    burst = false;
    client.join();
    REQUIRE(last >= 20);
    committed[cycle] = last;
  }
  if (!broker_up) broker.start();
  RoomdProcess roomd({"run", "--config", config});
  REQUIRE(api_port(roomd) > 0);
  std::map<std::int64_t, std::set<std::int64_t>> seen;
  const auto missing = [&] {
    seen.clear();
    for (const auto& record : payloads(sub, "roomd/room-9/events"))
      if (record.is_object())
        seen[record["epoch"].get<std::int64_t>()].insert(record["seq"].get<std::int64_t>());
    std::int64_t count = 0;
    for (const auto& [epoch, last] : committed)
      for (std::int64_t seq = 1; seq <= last; ++seq) count += seen[epoch].count(seq) ? 0 : 1;
    return count;
  };
  const bool all = pump(
      io, [&] { return missing() == 0; }, std::chrono::seconds(30));
  INFO("records still missing: " << missing());
  CHECK(all);
}

}  // namespace roomd::test
