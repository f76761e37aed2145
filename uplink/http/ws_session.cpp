#include "uplink/http/ws_session.hpp"

#include "uplink/http/api_context.hpp"
#include "uplink/http/ws_frame.hpp"

#include <array>
#include <optional>

namespace roomd {

namespace {

// Bytes; Linux doubles it for its own bookkeeping. About a millisecond of notifies at full
// speed, and far more than a panel needs in flight on any link it is used over.
constexpr int kSendBuffer = 64 * 1024;

}  // namespace

WsSession::WsSession(std::shared_ptr<ApiContext> api, ApiStream stream, ConnectionSlot slot,
                     const Grant* grant, std::string peer, WsDialectFactory make_dialect)
    : keep_(std::move(api)),
      api_(*keep_),
      slot_(std::move(slot)),
      ws_(std::move(stream)),
      cut_timer_(ws_.get_executor()),
      peer_(std::move(peer)),
      max_message_(api_.config.max_frame),
      make_dialect_(std::move(make_dialect)) {
  if (grant) {
    grant_ = *grant;  // the server's keys may be replaced by a reload meanwhile
    key_id_ = grant->key_id;
  }
}

WsSession::~WsSession() {
  finish();
}

void WsSession::limit_messages(std::size_t bytes, std::string setting) {
  max_message_ = bytes;
  max_message_setting_ = std::move(setting);
}

void WsSession::run(HttpRequest upgrade) {
  upgrade_ = std::move(upgrade);
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = std::chrono::seconds(30);
  timeouts.idle_timeout = api_.config.idle_timeout;
  timeouts.keep_alive_pings = true;  // a ping at half the idle timeout; no answer: closed
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "roomd"); }));
  ws_.read_message_max(max_message_);
  ws_.auto_fragment(false);
  // A fixed, modest kernel send buffer instead of one that grows to megabytes: a panel that
  // falls behind then backs up into the session's queue, where its notifies are coalesced to
  // the newest value, instead of into the kernel, where it would get a long stale backlog.
  beast::error_code ignored;
  ws_.next_layer().socket().set_option(asio::socket_base::send_buffer_size(kSendBuffer), ignored);
  ws_.async_accept(upgrade_,
                   [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) {
    api_.log.debug("websocket upgrade from ", peer_, " failed: ", ec.message());
    finish();
    return;
  }
  if (api_.stopped) {  // the server stopped during the handshake
    shutdown();
    return;
  }
  dialect_ = make_dialect_(
      WsOpening{keep_, grant_ ? &*grant_ : nullptr, peer_, ws_.get_executor(), upgrade_, *this});
  make_dialect_ = nullptr;
  upgrade_ = {};
  read();
}

void WsSession::read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void WsSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      if (auto more = api_.warnings.malformed.pass())
        api_.log.warn("client ", peer_, " sent a frame over ", max_message_setting_, " (",
                      max_message_, " bytes); closed with 1009", *more);
    } else if (ec != websocket::error::closed && ec != asio::error::operation_aborted)
      api_.log.debug("client ", peer_, " disconnected: ", ec.message());
    finish();
    return;
  }
  if (closing_) return;
  if (drain_then_close_) {
    // The dialect said its last word; the client's messages meanwhile are not its business.
  } else if (!ws_.got_text()) {
    dialect_->on_binary();
  } else {
    auto data = buffer_.cdata();
    dialect_->on_text(std::string_view(static_cast<const char*>(data.data()), data.size()));
  }
  buffer_.consume(buffer_.size());
  read();
}

void WsSession::send(std::string message) {
  if (closing_ || finished_ || drain_then_close_) return;
  queue_.push(std::move(message));
  if (!over_bound()) write_next();
}

void WsSession::notify(Binding& binding, const SharedText& value) {
  if (closing_ || finished_ || drain_then_close_) return;
  if (queue_.push_notify(binding, value)) {
    // Still queued behind a slow write: only the newest value goes out.
    ++api_.metrics.notifies_coalesced;
    return;
  }
  if (!over_bound()) write_next();
}

void WsSession::forget(Binding& binding) {
  queue_.forget(binding);
}

void WsSession::close_after(std::uint16_t code) {
  if (closing_ || finished_ || drain_then_close_) return;
  drain_then_close_ = static_cast<websocket::close_code>(code);
  write_next();
}

bool WsSession::over_bound() {
  if (queue_.bytes() <= api_.config.max_queue_bytes) return false;
  close_slow("outbound queue " + std::to_string(queue_.bytes()) + " bytes over api.max_queue (" +
             std::to_string(api_.config.max_queue_bytes) + ")");
  return true;
}

void WsSession::write_next() {
  if (writing_ || closing_ || finished_) return;
  auto& stream = ws_.next_layer();
  while (!queue_.empty()) {
    // Once a close frame went out or came in, no data frame may follow it; the read that
    // ends the connection is on its way, so nothing is queued meanwhile either.
    if (!ws_.is_open()) {
      closing_ = true;
      queue_.clear();
      return;
    }
    auto& front = queue_.front();
    const auto header = text_frame_header(front.size());
    const auto frame = asio::buffer(header.bytes.data(), header.size);
    bool room = false;
    if (front.is_notify()) {
      // A notify may wait a moment on a busy connection; replies go at once. The stream
      // copies the bytes, so the binding may change once this returns.
      room = stream.put(std::array<asio::const_buffer, 4>{frame, asio::buffer(front.head_text()),
                                                          asio::buffer(*front.value),
                                                          asio::buffer(front.tail_text())},
                        true);
      ++api_.metrics.notifies_sent;
    } else {
      room = stream.put(std::array<asio::const_buffer, 2>{frame, asio::buffer(front.text)});
    }
    queue_.pop_front();
    if (!room) {
      // The client reads slower than we write: the rest waits here, where it can still be
      // coalesced and where the queue bounds apply.
      writing_ = true;
      stream.async_wait_writable(
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
      return;
    }
  }
  if (drain_then_close_) {
    closing_ = true;
    // Maybe inside the dialect's own call: it lets go from a fresh handler.
    asio::post(ws_.get_executor(),
               [self = shared_from_this(), code = *drain_then_close_] { self->close_with(code); });
  }
}

void WsSession::on_write(beast::error_code ec) {
  writing_ = false;
  if (ec) {
    finish();
    return;
  }
  write_next();
}

void WsSession::check_backlog(Clock::time_point now) {
  if (closing_ || finished_) return;
  // Also the bytes the stream has not handed to the socket: a quiet connection whose peer
  // stopped reading shows only there.
  // The stream's bytes were queued before anything still here.
  auto oldest = ws_.next_layer().oldest_unsent();
  if (!oldest) oldest = queue_.oldest();
  if (oldest && now - *oldest > api_.config.max_queue_age)
    close_slow("a message waited longer than api.max_queue_age (" +
               std::to_string(api_.config.max_queue_age.count()) + " ms)");
}

void WsSession::close_slow(const std::string& why) {
  if (closing_ || finished_) return;
  closing_ = true;
  ++api_.metrics.slow_closed;
  if (auto more = api_.warnings.slow.pass())
    api_.log.warn("closing slow client ", peer_, " with 1008: ", why,
                  "; check the panel's network or its load", *more);
  queue_.clear();
  // This may run inside a notify fan-out or a reply: tear down from a fresh handler, so
  // no caller up the stack sees its bindings vanish.
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    self->close_with(websocket::close_code::policy_error);
  });
}

void WsSession::send_close(websocket::close_code code) {
  // Once only: a slow close may be asked for again while the first one is on its way.
  if (close_sent_ || finished_) return;
  close_sent_ = true;
  ws_.async_close(code, [self = shared_from_this()](beast::error_code) { self->finish(); });
}

void WsSession::close_dialect() {
  if (dialect_) dialect_->close();
}

void WsSession::close_with(websocket::close_code code) {
  close_dialect();
  if (finished_) return;
  send_close(code);  // behind the frames already handed to the stream
  // The peer does not read, so a stuck write or the close frame itself may never complete:
  // give it a moment, then cut the line.
  cut_timer_.expires_after(std::chrono::seconds(1));
  cut_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->finished_) return;
    beast::error_code ignored;
    self->ws_.next_layer().socket().close(ignored);
  });
}

void WsSession::shutdown() {
  if (finished_) return;
  if (closing_) {  // asked again (the server is being destroyed), or already closing: now
    beast::error_code ignored;
    ws_.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    finish();
    return;
  }
  // Going away (1001), so a panel knows the box is stopping and reconnects later.
  closing_ = true;
  queue_.clear();
  close_with(websocket::close_code::going_away);
}

void WsSession::revoke() {
  if (closing_) return;
  api_.log.info("closing the WebSocket of ", peer_, ": its API key ", key_id_,
                " was changed or removed by a config reload");
  closing_ = true;
  queue_.clear();
  close_with(websocket::close_code::policy_error);
}

void WsSession::finish() {
  if (finished_) return;
  finished_ = true;
  cut_timer_.cancel();
  close_dialect();
  queue_.clear();
  // Aborts a pending write (a half-closed peer may never drain it); the stream keeps its
  // buffers until the write's handler runs.
  beast::error_code ignored;
  ws_.next_layer().socket().close(ignored);
  slot_.release();
  api_.session_closed(this);
}

}  // namespace roomd
