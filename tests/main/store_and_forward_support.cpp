#include "tests/main/store_and_forward_support.hpp"

#include "runtime/database.hpp"
#include "tests/support/free_port.hpp"

#include <fstream>
#include <regex>

namespace roomd::test {

std::string write_config(const TempDir& dir, const std::string& upstream) {
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
    "upstream": )" << upstream
                      << " }";
  return path;
}

int api_port(RoomdProcess& roomd) {
  const auto out = roomd.wait_for("API listening");
  std::smatch match;
  if (!std::regex_search(out, match, std::regex("\\(port ([0-9]+)\\)"))) return 0;
  return std::stoi(match[1]);
}

std::pair<std::string, std::string> http(int port, const std::string& method,
                                         const std::string& path, const char* key,
                                         const std::string& body) {
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

std::string set_volume(int port, int level) {
  return http(port, "POST", "/api/engine/v2/systems/sys-9/System_1/volume", kOperatorKey,
              "[" + std::to_string(level) + "]")
      .first;
}

nlohmann::json outbox_report(int port) {
  return nlohmann::json::parse(http(port, "GET", "/api/engine/v2/outbox", kAdminKey).second,
                               nullptr, false);
}

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

std::vector<nlohmann::json> payloads(const MqttTestSubscriber& sub, const std::string& topic) {
  std::vector<nlohmann::json> out;
  for (const auto& m : sub.messages())
    if (m.topic == topic) out.push_back(nlohmann::json::parse(m.payload, nullptr, false));
  return out;
}

bool wait_online(boost::asio::io_context& io, const MqttTestSubscriber& sub, bool online,
                 std::optional<std::int64_t> epoch) {
  return pump(
      io,
      [&] {
        const auto said = payloads(sub, "roomd/room-9/online");
        return !said.empty() && said.back()["online"] == online &&
               (!epoch || said.back()["epoch"] == *epoch);
      },
      std::chrono::seconds(30));
}

}  // namespace roomd::test
