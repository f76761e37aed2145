// What the store-and-forward process tests share: a room config with an upstream section, the
// API port roomd announces, one HTTP request on its own connection, the outbox endpoint's
// report, the outbox database read directly, and waiting on a test subscriber's messages.
#pragma once

#include "tests/main/roomd_process.hpp"
#include "tests/support/mqtt_test_subscriber.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace roomd::test {

inline constexpr const char* kAdminKey = "admin-secret";
inline constexpr const char* kOperatorKey = "operator-secret";

// Box room-9 with one System module in sys-9, keys for an admin and an operator, the API on a
// free loopback port, state in `dir`, and `upstream` as the config's upstream section.
std::string write_config(const TempDir& dir,
                         const std::string& upstream = R"({ "outbox": { "max_bytes": "64MiB" } })");
// The port of roomd's "API listening" line; 0 if it never came.
int api_port(RoomdProcess& roomd);
// Status line and body of one request on its own connection (the server closes it).
std::pair<std::string, std::string> http(int port, const std::string& method,
                                         const std::string& path, const char* key,
                                         const std::string& body = "");
// POST of the System module's volume: one audit record at least per call.
std::string set_volume(int port, int level);
nlohmann::json outbox_report(int port);
// Every seq of `epoch` stored in the outbox database, in order.
std::vector<std::int64_t> stored_seqs(const std::string& db_path, std::int64_t epoch);
std::string integrity(const std::string& db_path);
std::vector<nlohmann::json> payloads(const MqttTestSubscriber& sub, const std::string& topic);
// Runs `io` until the last message on room-9's online topic says `online` (of `epoch`, when
// given); false after 30 s.
bool wait_online(boost::asio::io_context& io, const MqttTestSubscriber& sub, bool online,
                 std::optional<std::int64_t> epoch = std::nullopt);

// Runs `io` until `done()` or the deadline; the subscriber's client delivers on it.
template <class Done>
bool pump(boost::asio::io_context& io, Done done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_for(std::chrono::milliseconds(20));
    io.restart();
  }
  return true;
}

}  // namespace roomd::test
