#include "uplink/socketio/socketio_session.hpp"

#include "base/json_parse.hpp"
#include "uplink/socketio/session_id.hpp"
#include "uplink/socketio/socketio_packet.hpp"

namespace roomd {

using socketio::PacketType;

SocketIoSession::SocketIoSession(EngineIoOutput& out, const AppFactory& make_app)
    : out_(out), app_(make_app(*this)) {}

SocketIoSession::~SocketIoSession() = default;

void SocketIoSession::on_message(std::string_view text) {
  std::string error;
  auto packet = socketio::decode(text, error);
  if (!packet) {
    app_->on_refused("not a Socket.IO packet: " + error);
    return;
  }
  if (packet->nsp != "/") {
    // One namespace only: the client's connect fails, as a stock server answers it.
    if (packet->type == PacketType::connect)
      out_.send_message(socketio::encode({PacketType::connect_error, packet->nsp, std::nullopt,
                                          R"({"message":"Invalid namespace"})"}));
    return;
  }
  switch (packet->type) {
    case PacketType::connect:
      if (connected_) return;
      connected_ = true;
      // The auth payload (packet->data) is accepted and not needed: DAS authorizes in its
      // first message.
      try {
        out_.send_message(socketio::encode(
            {PacketType::connect, "/", std::nullopt, to_text(Json{{"sid", random_session_id()}})}));
      } catch (const std::exception& e) {
        out_.close(std::string("no session id: ") + e.what());
      }
      return;
    case PacketType::disconnect:
      connected_ = false;
      out_.close("the client left the namespace");
      return;
    case PacketType::event:
      if (!connected_) return;  // not in the namespace: a stock server drops it too
      if (packet->ack_id)       // an emit with a callback: it gets an empty acknowledgement
        out_.send_message(socketio::encode({PacketType::ack, "/", packet->ack_id, "[]"}));
      on_event(packet->data);
      return;
    case PacketType::binary_event:
    case PacketType::binary_ack:
      app_->on_refused("binary Socket.IO packets are not accepted; send JSON");
      return;
    case PacketType::ack:
    case PacketType::connect_error:
      return;  // the server asks for no acknowledgements
  }
}

void SocketIoSession::on_event(const std::string& data) {
  auto parsed = parse_json(data);
  if (!parsed) {
    app_->on_refused("the event is not valid JSON: " + parsed.error);
    return;
  }
  const auto& event = parsed.value;
  if (!event.is_array() || event.empty() || !event[0].is_string()) {
    app_->on_refused("an event is a JSON array with the event's name first");
    return;
  }
  if (event[0] != "message") return;  // DAS speaks in "message" events only
  if (event.size() < 2) {
    app_->on_refused("a message event carries one JSON object");
    return;
  }
  app_->on_message(event[1]);
}

void SocketIoSession::on_binary() {
  app_->on_refused("binary messages are not accepted; send JSON");
}

void SocketIoSession::on_close(const std::string&) {
  app_->close();
}

void SocketIoSession::emit_message(std::string_view json) {
  std::string packet;
  packet.reserve(json.size() + 14);
  packet += R"(2["message",)";
  packet += json;
  packet += ']';
  out_.send_message(std::move(packet));
}

void SocketIoSession::disconnect(const std::string& why) {
  out_.send_message(socketio::encode({PacketType::disconnect, "/", std::nullopt, ""}));
  out_.close(why);
}

}  // namespace roomd
