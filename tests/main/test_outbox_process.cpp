// roomd run with an outbox and no broker: what the outbox endpoint reports as committed
// survives a kill -9 in the middle of a burst, cycle after cycle, with the database intact
// and the boot epoch growing at every start.
#include "runtime/database.hpp"
#include "tests/main/roomd_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <regex>
#include <thread>

namespace roomd::test {
namespace {

constexpr const char* kAdminKey = "admin-secret";
constexpr const char* kOperatorKey = "operator-secret";

std::string write_config(const TempDir& dir) {
  const auto path = dir.path() + "/roomd.json";
  std::ofstream(path) << R"({ "box": { "id": "room-9", "state_dir": ")" << dir.path()
                      << R"(" }, "api": { "listen": "127.0.0.1:)" << free_loopback_port()
                      << R"(", "keys": [
      { "id": "ops", "key": ")"
                      << kAdminKey << R"(", "role": "admin", "systems": ["*"] },
      { "id": "panel", "key": ")"
                      << kOperatorKey << R"(", "role": "operator", "systems": ["*"] } ] },
    "modules": [ { "id": "mod-room", "driver": "room", "name": "System" } ],
    "systems": [ { "id": "sys-9", "modules": ["mod-room"] } ],
    "upstream": { "outbox": { "max_bytes": "64MiB" } } })";
  return path;
}

int api_port(RoomdProcess& roomd) {
  const auto out = roomd.wait_for("API listening");
  std::smatch match;
  if (!std::regex_search(out, match, std::regex("\\(port ([0-9]+)\\)"))) return 0;
  return std::stoi(match[1]);
}

// Status line and body of one request on its own connection (the server closes it).
std::pair<std::string, std::string> http(int port, const std::string& method,
                                         const std::string& path, const char* key,
                                         const std::string& body = "") {
  std::string got;
  const auto request =
      method + " " + path + " HTTP/1.1\r\nHost: box\r\nX-API-Key: " + key +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  exchange(port, request, "\x01 read to the end", got, std::chrono::seconds(5));
  const auto head_end = got.find("\r\n\r\n");
  if (head_end == std::string::npos) return {};
  return {got.substr(0, got.find("\r\n")), got.substr(head_end + 4)};
}

nlohmann::json outbox_report(int port) {
  return nlohmann::json::parse(http(port, "GET", "/api/engine/v2/outbox", kAdminKey).second,
                               nullptr, false);
}

// Every seq of `epoch` stored in the database, in order.
std::vector<std::int64_t> stored_seqs(const std::string& db_path, std::int64_t epoch) {
  Database db(db_path, "outbox");
  auto select = db.prepare("SELECT key FROM records WHERE (key >> 40) = ?1 ORDER BY key");
  select.bind_int64(1, epoch);
  std::vector<std::int64_t> seqs;
  while (select.step()) seqs.push_back(select.column_int64(0) & ((std::int64_t{1} << 40) - 1));
  return seqs;
}

std::string integrity(const std::string& db_path) {
  Database db(db_path, "outbox");
  auto check = db.prepare("PRAGMA integrity_check");
  return check.step() ? std::string(check.column_text(0)) : "no answer";
}

}  // namespace

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
        if (!http(port, "POST", "/api/engine/v2/systems/sys-9/System_1/volume", kOperatorKey,
                  "[" + std::to_string(level) + "]")
                 .first.empty())
          ++answered;
    });
    nlohmann::json report;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      report = outbox_report(port);
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

}  // namespace roomd::test
