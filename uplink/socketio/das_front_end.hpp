// The DAS dialect as mounted on the HTTP server: Socket.IO at /socket.io/ (long-polling and
// WebSocket, and the upgrade between them), whose clients authorize in their first message.
#pragma once

#include "uplink/http/front_end.hpp"
#include "uplink/socketio/das_feed.hpp"
#include "uplink/socketio/engineio_server.hpp"

#include <memory>

namespace roomd {

struct DasConfig;

class DasFrontEnd final : public FrontEnd {
 public:
  explicit DasFrontEnd(const DasConfig& config);

  bool serves(std::string_view path) const override;
  void handle(ApiContext& api, const HttpRequest& request, const Grant* grant, std::string peer,
              Executor executor, std::function<void(HttpResponse)> done) override;
  std::vector<std::string> websocket_paths() const override;
  bool authenticates_itself(std::string_view path) const override;
  std::optional<HttpResponse> refuse_upgrade(const HttpRequest& request) const override;
  std::shared_ptr<LiveSession> upgrade(std::shared_ptr<ApiContext> api, ApiStream stream,
                                       ConnectionSlot slot, const Grant* grant,
                                       std::string peer) override;

  // Open Engine.IO sessions, and DAS sessions that follow changes (for tests and metrics).
  std::size_t sessions() const { return server_.sessions(); }
  std::size_t watchers() const { return feed_->watchers(); }

 private:
  std::size_t max_payload_;
  std::shared_ptr<DasFeed> feed_ = std::make_shared<DasFeed>();
  EngineIoServer server_;
};

}  // namespace roomd
