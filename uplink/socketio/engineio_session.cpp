#include "uplink/socketio/engineio_session.hpp"

#include "base/json.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/socketio/engineio_http.hpp"
#include "uplink/socketio/engineio_packet.hpp"

#include <boost/asio/post.hpp>

#include <vector>

namespace roomd {

using engineio::PacketType;

namespace {

// How long a probing WebSocket may take to finish the upgrade (Engine.IO's upgradeTimeout).
constexpr Duration kUpgradeTimeout{10000};
// How long a polling client has to collect the close packet before the session just ends.
constexpr Duration kCloseGrace{2000};

}  // namespace

EngineIoSession::EngineIoSession(std::shared_ptr<ApiContext> api, EngineIoOptions options,
                                 std::string sid, std::string peer, Executor executor,
                                 std::function<void(const std::string&)> ended)
    : keep_(std::move(api)),
      api_(*keep_),
      options_(options),
      sid_(std::move(sid)),
      peer_(std::move(peer)),
      executor_(std::move(executor)),
      ended_(std::move(ended)),
      ping_timer_(executor_),
      upgrade_timer_(executor_) {}

EngineIoSession::~EngineIoSession() = default;

std::string EngineIoSession::open_packet(bool upgrades) const {
  const Json open{{"sid", sid_},
                  {"upgrades", upgrades ? Json::array({"websocket"}) : Json::array()},
                  {"pingInterval", options_.ping_interval.count()},
                  {"pingTimeout", options_.ping_timeout.count()},
                  {"maxPayload", options_.max_payload}};
  return engineio::encode(PacketType::open, to_text(open));
}

void EngineIoSession::start(std::unique_ptr<EngineIoHandler> handler) {
  handler_ = std::move(handler);
  schedule_ping();
}

void EngineIoSession::poll(const HttpRequest& request, std::function<void(HttpResponse)> done) {
  if (finished_) return done(engineio::error_answer(request, engineio::Error::session_unknown));
  if (ws_) return done(engineio::error_answer(request, engineio::Error::bad_request));
  if (pending_poll_) {
    // Two GETs at once: the client lost track of its own session (the protocol's "overlap").
    done(engineio::error_answer(request, engineio::Error::bad_request));
    end("a second polling GET came while one was held");
    return;
  }
  pending_poll_ = std::move(done);
  poll_request_ = request;
  poll_request_.body().clear();
  if (!queue_.empty() || upgrading_) answer_poll();
}

void EngineIoSession::post(const HttpRequest& request, std::function<void(HttpResponse)> done) {
  if (finished_) return done(engineio::error_answer(request, engineio::Error::session_unknown));
  if (ws_) return done(engineio::error_answer(request, engineio::Error::bad_request));
  const auto& body = request.body();
  if (body.size() > options_.max_payload) {
    done(engineio::error_answer(request, engineio::Error::bad_request,
                                http::status::payload_too_large));
    if (auto more = api_.warnings.malformed.pass())
      api_.log.warn("Socket.IO client ", peer_, " posted ", body.size(),
                    " bytes, over dialects.das.max_payload (", options_.max_payload,
                    "); session closed", *more);
    end("payload over dialects.das.max_payload");
    return;
  }
  std::string error;
  auto packets = engineio::decode_payload(body, error);
  if (!packets) {
    done(engineio::error_answer(request, engineio::Error::bad_request));
    if (auto more = api_.warnings.malformed.pass())
      api_.log.warn("Socket.IO client ", peer_, " posted a malformed Engine.IO payload (", error,
                    "); session closed", *more);
    end("malformed payload: " + error);
    return;
  }
  // Answered first: handling a packet may end the session.
  done(engineio::ok_answer(request));
  // The session may end halfway; `self` keeps it alive to the end of the loop.
  auto self = shared_from_this();
  for (const auto& packet : *packets) {
    if (finished_) break;
    handle_packet(static_cast<char>(packet.type), packet.data, packet.binary);
  }
}

void EngineIoSession::handle_packet(char type, std::string_view data, bool binary) {
  // Closing (the server disconnected the client, or revoked its key): nothing it sends is
  // acted on any more, and no pong keeps the session alive.
  if (closing_ && static_cast<PacketType>(type) != PacketType::close) return;
  switch (static_cast<PacketType>(type)) {
    case PacketType::pong:
      if (awaiting_pong_) schedule_ping();
      return;
    case PacketType::ping:  // v4 clients do not ping (but for the probe); answer anyway
      queue(engineio::encode(PacketType::pong, data));
      return;
    case PacketType::message:
      if (!handler_) return;
      if (binary)
        handler_->on_binary();
      else
        handler_->on_message(data);
      return;
    case PacketType::close:
      end("the client closed the session");
      return;
    case PacketType::open:
    case PacketType::upgrade:  // only a probing WebSocket sends it
    case PacketType::noop:
      return;
  }
}

void EngineIoSession::send_message(std::string text) {
  if (closing_ || finished_) return;
  queue(engineio::encode(PacketType::message, text));
}

void EngineIoSession::queue(std::string packet) {
  queued_bytes_ += packet.size();
  queue_.push_back({std::move(packet), Clock::now()});
  if (queued_bytes_ > api_.config.max_queue_bytes) {
    ++api_.metrics.slow_closed;
    if (auto more = api_.warnings.slow.pass())
      api_.log.warn("closing slow Socket.IO client ", peer_, ": ", queued_bytes_,
                    " bytes queued, over api.max_queue_bytes (", api_.config.max_queue_bytes,
                    "); check the client's network or its load", *more);
    end("outbound queue over api.max_queue_bytes");
    return;
  }
  flush();
}

void EngineIoSession::flush() {
  if (finished_) return;
  if (!ws_) {
    // From a fresh handler: whatever else this turn queues (the answers to every packet of a
    // POST) goes in the same payload.
    if (!pending_poll_ || queue_.empty() || answer_posted_) return;
    answer_posted_ = true;
    asio::post(executor_, [self = shared_from_this()] {
      self->answer_posted_ = false;
      if (!self->finished_ && self->pending_poll_ && !self->queue_.empty()) self->answer_poll();
    });
    return;
  }
  while (!queue_.empty()) {
    ws_->send(std::move(queue_.front().packet));
    queue_.pop_front();
  }
  queued_bytes_ = 0;
  if (closing_) finish("closed by the server");
}

void EngineIoSession::answer_poll() {
  // The close packet goes alone, in the answer after the last messages: a stock client drops
  // the messages of a payload that also closes its transport.
  const bool close_later = closing_ && queue_.size() > 1;
  const auto count = close_later ? queue_.size() - 1 : queue_.size();
  std::vector<std::string> packets;
  packets.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    queued_bytes_ -= queue_.front().packet.size();
    packets.push_back(std::move(queue_.front().packet));
    queue_.pop_front();
  }
  if (packets.empty()) packets.push_back(engineio::encode(PacketType::noop));
  auto done = std::move(pending_poll_);
  pending_poll_ = nullptr;
  done(engineio::payload_answer(poll_request_, engineio::encode_payload(packets)));
  if (closing_ && queue_.empty()) finish("closed by the server");  // the close packet went out
}

void EngineIoSession::close(const std::string& why) {
  if (closing_ || finished_) return;
  api_.log.debug("Socket.IO session ", sid_, " of ", peer_, " closing: ", why);
  closing_ = true;  // before the close packet is queued: whatever carries it ends the session
  queue(engineio::encode(PacketType::close));
  if (finished_) return;
  // A polling client that does not come for it is not waited for until the next ping.
  wake_after(std::min(options_.ping_timeout, kCloseGrace));
}

void EngineIoSession::schedule_ping() {
  awaiting_pong_ = false;
  wake_after(options_.ping_interval);
}

void EngineIoSession::on_ping_timer() {
  if (finished_) return;
  if (closing_) {
    end("the client never collected its close packet");
    return;
  }
  if (awaiting_pong_) {
    // A client that vanished (a pulled cable, a closed laptop): worth a line, but a crowd of
    // them must not flood the log.
    if (auto more = api_.warnings.slow.pass())
      api_.log.info("Socket.IO client ", peer_, " did not answer a ping within ",
                    "dialects.das.ping_timeout (", options_.ping_timeout.count(),
                    " ms); session closed", *more);
    end("no pong within dialects.das.ping_timeout");
    return;
  }
  awaiting_pong_ = true;
  queue(engineio::encode(PacketType::ping));
  if (!finished_) wake_after(options_.ping_timeout);
}

void EngineIoSession::wake_after(Duration delay) {
  ping_timer_.expires_after(delay);
  ping_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->on_ping_timer();
  });
}

void EngineIoSession::use_websocket(WsOutput& ws) {
  ws_ = &ws;
  flush();
}

bool EngineIoSession::accept_probe(WsOutput& ws) {
  if (finished_ || closing_ || ws_ || probe_) return false;
  probe_ = &ws;
  // A probe that never completes would otherwise keep every GET answered at once (noop).
  upgrade_timer_.expires_after(kUpgradeTimeout);
  upgrade_timer_.async_wait(
      [weak = weak_from_this(), probe = &ws](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || self->probe_ != probe) return;
        self->api_.log.debug("Socket.IO session ", self->sid_, " of ", self->peer_,
                             ": the upgrade did not finish within 10 s; staying on polling");
        self->drop_probe();
      });
  return true;
}

void EngineIoSession::drop_probe() {
  auto* probe = std::exchange(probe_, nullptr);
  upgrading_ = false;
  upgrade_timer_.cancel();
  if (probe) probe->close_after(kWsClosePolicy);
}

void EngineIoSession::on_websocket_text(WsOutput& ws, std::string_view text) {
  if (finished_) return;
  auto packet = engineio::decode(text);
  if (&ws == probe_) {
    if (packet && packet->type == PacketType::ping && packet->data == "probe") {
      ws.send(engineio::encode(PacketType::pong, "probe"));
      upgrading_ = true;
      // The client finishes its polling cycle before it upgrades: let a held GET go.
      if (pending_poll_) answer_poll();
      return;
    }
    if (packet && packet->type == PacketType::upgrade && upgrading_) {
      ws_ = probe_;
      probe_ = nullptr;
      upgrading_ = false;
      upgrade_timer_.cancel();
      if (pending_poll_) {  // nothing more goes that way; the queue follows on the WebSocket
        auto done = std::move(pending_poll_);
        pending_poll_ = nullptr;
        done(engineio::payload_answer(poll_request_, engineio::encode(PacketType::noop)));
      }
      api_.log.debug("Socket.IO session ", sid_, " of ", peer_, " upgraded to WebSocket");
      flush();
      return;
    }
    api_.log.debug("Socket.IO session ", sid_, " of ", peer_,
                   ": upgrade refused, the probe sent something else first");
    drop_probe();
    return;
  }
  if (&ws != ws_) return;  // a WebSocket this session no longer uses
  if (!packet) {
    if (auto more = api_.warnings.malformed.pass())
      api_.log.warn("Socket.IO client ", peer_, " sent a WebSocket message that is no ",
                    "Engine.IO packet; session closed", *more);
    end("a WebSocket message that is no Engine.IO packet");
    return;
  }
  handle_packet(static_cast<char>(packet->type), packet->data, false);
}

void EngineIoSession::on_websocket_binary(WsOutput& ws) {
  if (finished_ || &ws != ws_ || !handler_) return;
  handler_->on_binary();
}

void EngineIoSession::on_websocket_closed(WsOutput& ws) {
  if (&ws == probe_) {
    probe_ = nullptr;
    upgrading_ = false;
    upgrade_timer_.cancel();
    return;
  }
  if (&ws != ws_) return;
  ws_ = nullptr;  // gone: finish() must not touch it
  end("the WebSocket closed");
}

void EngineIoSession::shutdown() {
  finish("roomd is stopping");
}

void EngineIoSession::check_backlog(Clock::time_point now) {
  if (finished_ || queue_.empty()) return;
  if (now - queue_.front().at <= api_.config.max_queue_age) return;
  ++api_.metrics.slow_closed;
  if (auto more = api_.warnings.slow.pass())
    api_.log.warn("closing slow Socket.IO client ", peer_,
                  ": a message waited longer than api.max_queue_age (",
                  api_.config.max_queue_age.count(), " ms); check the client's network", *more);
  end("a message waited longer than api.max_queue_age");
}

void EngineIoSession::revoke() {
  api_.log.info("closing the Socket.IO session of ", peer_, ": its API key ", key_id_,
                " was changed or removed by a config reload");
  close("API key revoked");
}

void EngineIoSession::end(const std::string& why) {
  if (finished_) return;
  api_.log.debug("Socket.IO session ", sid_, " of ", peer_, " ended: ", why);
  finish(why);
}

void EngineIoSession::finish(const std::string& why) {
  if (finished_) return;
  finished_ = true;
  ping_timer_.cancel();
  upgrade_timer_.cancel();
  queue_.clear();
  queued_bytes_ = 0;
  if (pending_poll_) {
    auto done = std::move(pending_poll_);
    pending_poll_ = nullptr;
    done(engineio::payload_answer(poll_request_, engineio::encode(PacketType::close)));
  }
  for (auto* ws : {std::exchange(ws_, nullptr), std::exchange(probe_, nullptr)})
    if (ws) ws->close_after(kWsCloseNormal);
  auto self = shared_from_this();  // the server lets go of it just below
  ended_(sid_);
  api_.session_closed(this);
  // From a fresh handler: this may run inside the handler's own call.
  asio::post(executor_, [self, why] {
    if (!self->handler_) return;
    self->handler_->on_close(why);
    self->handler_.reset();
  });
}

}  // namespace roomd
