#include "uplink/socketio/engineio_websocket.hpp"

namespace roomd {

EngineIoWebSocket::EngineIoWebSocket(std::shared_ptr<EngineIoSession> session, WsOutput& out)
    : session_(std::move(session)), out_(out) {}

void EngineIoWebSocket::on_text(std::string_view text) {
  if (session_) session_->on_websocket_text(out_, text);
}

void EngineIoWebSocket::on_binary() {
  if (session_) session_->on_websocket_binary(out_);
}

void EngineIoWebSocket::close() {
  if (auto session = std::exchange(session_, nullptr)) session->on_websocket_closed(out_);
}

}  // namespace roomd
