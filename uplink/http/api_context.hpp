// What the HTTP/WebSocket server shares with every connection: the request core, the keys,
// the connection limits, the mounted front-ends and the open long-lived sessions. Held by
// shared_ptr by the server and by every session, so a session whose last handler dies after the
// server (with the io_context) still finds it. Everything in it is used on the API strand.
#pragma once

#include "base/asio.hpp"
#include "config/config.hpp"
#include "uplink/core/access.hpp"
#include "uplink/core/request_core.hpp"
#include "uplink/http/connection_limits.hpp"
#include "uplink/http/front_end.hpp"
#include "uplink/http/live_session.hpp"

#include <algorithm>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace roomd {

struct ApiContext : RequestCore {
  ApiContext(Runtime& runtime, Executor strand)
      : RequestCore(runtime, std::move(strand)),
        keys(config.keys),
        key_configs(config.keys),
        limits(std::make_shared<ConnectionLimits>(config.max_connections,
                                                  config.max_connections_per_address)) {}

  std::shared_ptr<ApiContext> shared() {
    return std::static_pointer_cast<ApiContext>(shared_from_this());
  }

  ApiKeys keys;
  std::vector<ApiKeyConfig> key_configs;  // what `keys` was made from

  // A reload's keys: every request from now on is checked against them. Answers the ids of
  // the keys removed or changed, whose open sessions must present their key again.
  std::vector<std::string> replace_keys(const std::vector<ApiKeyConfig>& next) {
    std::vector<std::string> gone;
    for (const auto& old : key_configs) {
      const bool kept = std::find(next.begin(), next.end(), old) != next.end();
      if (!kept) gone.push_back(old.id);
    }
    keys = ApiKeys(next);
    key_configs = next;
    return gone;
  }
  std::shared_ptr<ConnectionLimits> limits;

  // The dialects, asked in the order they were mounted.
  std::vector<std::shared_ptr<FrontEnd>> front_ends;
  // Open long-lived sessions (WebSockets, after their upgrade completed).
  std::unordered_map<LiveSession*, std::weak_ptr<LiveSession>> sessions;
  bool stopped = false;  // the server is gone or going: no new sessions

  FrontEnd* serving(std::string_view path) const {
    for (const auto& front_end : front_ends)
      if (front_end->serves(path)) return front_end.get();
    return nullptr;
  }
  FrontEnd* upgrading(std::string_view path) const {
    for (const auto& front_end : front_ends)
      for (const auto& endpoint : front_end->websocket_paths())
        if (endpoint == path) return front_end.get();
    return nullptr;
  }

  void session_opened(const std::shared_ptr<LiveSession>& session) {
    sessions.emplace(session.get(), session);
    ++metrics.connections_total;
    metrics.connections_open = sessions.size();
  }
  void session_closed(LiveSession* session) {
    sessions.erase(session);
    metrics.connections_open = sessions.size();
  }
};

}  // namespace roomd
