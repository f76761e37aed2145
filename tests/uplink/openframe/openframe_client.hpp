// An OpenFrame client for the tests: a WsClient on /v1/ws with the key as a bearer token, and
// reads that skip to the message a test waits for.
#pragma once

#include "tests/uplink/api_fixture.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace roomd::test {

inline WsClient openframe_client(std::uint16_t port, const std::string& key,
                                 const std::string& query = "") {
  return WsClient(port, "/v1/ws" + query, {{"Authorization", "Bearer " + key}});
}

inline Json subscribe(const Json& topics, const Json& filters = nullptr) {
  Json message{{"type", "subscribe"}, {"topics", topics}};
  if (!filters.is_null()) message["filters"] = filters;
  return message;
}

// Every message up to and including the first that `match` accepts; throws (no message in
// time) when none does.
inline std::vector<Json> read_until(WsClient& client, const std::function<bool(const Json&)>& match,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  std::vector<Json> seen;
  while (true) {
    seen.push_back(client.read_json(timeout));
    if (match(seen.back())) return seen;
  }
}

// Everything the server sent before a marker: an unparseable message, whose CONNECTION_ERROR
// comes after whatever was queued before it.
inline std::vector<Json> drain_openframe(WsClient& client) {
  client.send("drain marker");
  auto seen = read_until(client, [](const Json& m) {
    return m.value("type", "") == "error" && m.value("code", "") == "CONNECTION_ERROR" &&
           m.value("message", "").find("invalid JSON") != std::string::npos;
  });
  seen.pop_back();
  return seen;
}

// The device_update events among `messages`, by module id.
inline std::map<std::string, Json> device_updates(const std::vector<Json>& messages) {
  std::map<std::string, Json> found;
  for (const auto& m : messages)
    if (m.value("type", "") == "device_update") found[m.at("data").at("id")] = m;
  return found;
}

}  // namespace roomd::test
