// The WebSocket transport of an Engine.IO session, as the shared WebSocket session's dialect:
// each text message is one packet for the session, which answers through the socket once it
// carries the session (from the start, or after the upgrade it probes for).
#pragma once

#include "uplink/http/ws_dialect.hpp"
#include "uplink/socketio/engineio_session.hpp"

#include <memory>

namespace roomd {

class EngineIoWebSocket final : public WsDialect {
 public:
  EngineIoWebSocket(std::shared_ptr<EngineIoSession> session, WsOutput& out);

  void on_text(std::string_view text) override;
  void on_binary() override;
  void close() override;

 private:
  std::shared_ptr<EngineIoSession> session_;  // null once closed
  WsOutput& out_;
};

}  // namespace roomd
