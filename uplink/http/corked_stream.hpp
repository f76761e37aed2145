// The byte stream under each WebSocket: frames written during one turn of the event loop, or
// while an earlier batch is still on the wire, are sent together in one system call. A burst
// of status changes then costs one send per panel instead of one per change, and a busy
// connection sends fewer, fuller segments. Beast writes its
// control frames (ping, pong, close) through the ordinary async stream interface; the session
// puts its own whole text frames in with put(), so both stay in order, frame by frame.
#pragma once

#include "uplink/http/api_stream.hpp"
#include "uplink/http/beast.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/assert.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace roomd {

class CorkedStream {
 public:
  using executor_type = tcp::socket::executor_type;
  // Beyond this many unsent bytes a write completes only once they are on the wire, so a
  // peer that stops reading pushes back on the session's own (bounded, coalescing) queue.
  static constexpr std::size_t kHighWater = 64 * 1024;
  // A connection that already sent during the current tick of a grid with this period holds
  // frames that may wait until the next tick, so under load several changes share one send
  // (a system call and a TCP segment each, most of the server's cost per notify). A frame
  // after a quiet moment, and every reply, goes out at the end of the loop turn.
  static constexpr std::chrono::microseconds kBusyInterval{1000};

  explicit CorkedStream(ApiStream stream) : state_(std::make_shared<State>(std::move(stream))) {}

  executor_type get_executor() { return state_->stream.get_executor(); }
  ApiStream& stream() { return state_->stream; }
  tcp::socket& socket() { return state_->stream.socket(); }
  // Beast's lowest layer, which it closes on a failure: the socket, under TLS too.
  tcp::socket& next_layer() { return state_->stream.socket(); }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return state_->stream.async_read_some(buffers, std::forward<Token>(token));
  }

  // Queues one whole frame the caller built; a frame that `may_wait` (a notify) may be held
  // for up to kBusyInterval while the connection is busy. False once the unsent bytes are
  // over kHighWater (or the stream failed): the caller then stops and waits with
  // async_wait_writable.
  template <class Buffers>
  bool put(const Buffers& frame, bool may_wait = false) {
    return state_->put(frame, may_wait);
  }

  // Completes once the unsent bytes are at or below kHighWater, or with the stream's error.
  template <class Token>
  auto async_wait_writable(Token&& token) {
    return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
        [state = state_](auto handler) { state->wait(std::move(handler), kHighWater); }, token);
  }

  // Completes once every queued byte is written, or with the stream's error.
  template <class Token>
  auto async_wait_sent(Token&& token) {
    return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
        [state = state_](auto handler) { state->wait(std::move(handler), 0); }, token);
  }

  // When the oldest byte not yet taken by the peer's socket buffer was queued; nullopt when
  // everything is written. A peer that stops reading leaves it in the past.
  std::optional<Clock::time_point> oldest_unsent() const {
    if (state_->writing) return state_->in_flight_since;
    if (!state_->pending.empty()) return state_->pending_since;
    return std::nullopt;
  }

  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
        [state = state_](auto handler, const Buffers& data) {
          state->append(data, std::move(handler));
        },
        token, buffers);
  }

 private:
  using Handler = asio::any_completion_handler<void(beast::error_code, std::size_t)>;

  struct State : std::enable_shared_from_this<State> {
    explicit State(ApiStream s) : stream(std::move(s)), timer(stream.get_executor()) {}

    template <class Buffers>
    void append(const Buffers& data, Handler handler) {
      const std::size_t n = asio::buffer_size(data);
      if (!put(data, false) && error) {  // pings, pongs and the close frame go at once
        complete(std::move(handler), error, 0);
        return;
      }
      if (pending.size() <= kHighWater)
        complete(std::move(handler), {}, n);
      else
        blocked.emplace(std::move(handler), n);  // released when the batch is written
    }

    template <class Buffers>
    bool put(const Buffers& data, bool may_wait) {
      if (error) return false;
      const std::size_t n = asio::buffer_size(data);
      const auto old = pending.size();
      if (old == 0) pending_since = Clock::now();
      pending.resize(old + n);
      asio::buffer_copy(asio::buffer(pending.data() + old, n), data);
      if (!may_wait) pending_urgent = true;
      if (!writing) schedule_flush();
      return pending.size() <= kHighWater;
    }

    // At the end of this turn of the event loop, so the rest of a burst, and whatever the
    // handlers already queued write, joins the same send; while the connection is busy and
    // everything pending may wait, at the next tick of the kBusyInterval grid.
    void schedule_flush() {
      if (flush_posted) return;
      if (!pending_urgent) {
        if (timer_armed) return;
        // The next tick of a clock-wide kBusyInterval grid after the last send: every busy
        // connection flushes at the same instants, so their sends come in one burst that a
        // panel's machine (or the load generator) takes in one wake-up, not one per send.
        const auto due =
            Clock::time_point((last_flush.time_since_epoch() / kBusyInterval + 1) * kBusyInterval);
        if (Clock::now() < due) {
          timer_armed = true;
          timer.expires_at(due);
          timer.async_wait([self = shared_from_this()](beast::error_code) {
            self->timer_armed = false;
            if (!self->writing && !self->pending.empty() && !self->error) self->flush();
          });
          return;
        }
      }
      flush_posted = true;
      asio::post(stream.get_executor(), [self = shared_from_this()] {
        self->flush_posted = false;
        if (!self->writing && !self->pending.empty() && !self->error) self->flush();
      });
    }

    // kHighWater: the session's writer waits for room; 0: teardown waits until everything is
    // on the wire. One waiter of each kind at a time.
    void wait(Handler handler, std::size_t limit) {
      auto& slot = limit == 0 ? sent_waiter : writable_waiter;
      BOOST_ASSERT(!slot);  // the session waits once at a time, and Beast tears down once
      slot.emplace(std::move(handler));
      release_waiters();
    }

    // Whoever waits for the unsent bytes to shrink (or for the stream's error).
    void release_waiters() {
      if (blocked && (error || pending.size() <= kHighWater)) {
        auto [handler, n] = std::move(*blocked);
        blocked.reset();
        complete(std::move(handler), error, error ? 0 : n);
      }
      if (writable_waiter && (error || pending.size() <= kHighWater)) release(writable_waiter);
      if (sent_waiter && (error || (pending.empty() && !writing))) release(sent_waiter);
    }

    void release(std::optional<Handler>& slot) {
      auto handler = std::move(*slot);
      slot.reset();
      complete(std::move(handler), error, 0);
    }

    void flush() {
      writing = true;
      last_flush = Clock::now();
      pending_urgent = false;
      in_flight_since = pending_since;
      in_flight.swap(pending);
      pending.clear();
      release_waiters();
      asio::async_write(
          stream, asio::buffer(in_flight),
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_flushed(ec); });
    }

    void on_flushed(beast::error_code ec) {
      writing = false;
      in_flight.clear();
      if (ec) error = ec;
      // Not at once: under load the next batch then also takes what this turn's handlers
      // write, so a busy connection sends fewer, fuller segments.
      if (!error && !pending.empty()) schedule_flush();
      release_waiters();
    }

    void complete(Handler handler, beast::error_code ec, std::size_t n) {
      // Never inline: Beast's write op must not re-enter itself.
      asio::post(stream.get_executor(),
                 [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); });
    }

    ApiStream stream;
    std::string pending;       // frames not yet handed to the socket
    std::string in_flight;     // the batch the socket is writing
    asio::steady_timer timer;  // the held flush of a busy connection
    bool timer_armed = false;
    bool pending_urgent = false;  // `pending` holds a frame that may not wait
    Clock::time_point last_flush;
    Clock::time_point pending_since;    // when the first byte of `pending` came
    Clock::time_point in_flight_since;  // the same, for the batch being written
    bool writing = false;
    bool flush_posted = false;
    beast::error_code error;  // the first write error; every later write fails with it
    std::optional<std::pair<Handler, std::size_t>> blocked;  // Beast's write, over kHighWater
    std::optional<Handler> writable_waiter;
    std::optional<Handler> sent_waiter;
  };

  std::shared_ptr<State> state_;  // shared with the write in flight
};

// How Beast ends a WebSocket connection over this stream: as over the ApiStream beneath.
inline void teardown(beast::role_type role, CorkedStream& stream, beast::error_code& ec) {
  teardown(role, stream.stream(), ec);
}

// Only once every queued byte is on the wire: the close frame Beast just wrote is usually
// still in the batch, and shutting the socket down first would cut it off.
template <class Handler>
void async_teardown(beast::role_type role, CorkedStream& stream, Handler&& handler) {
  stream.async_wait_sent([role, &stream, handler = std::forward<Handler>(handler)](
                             beast::error_code, std::size_t) mutable {
    async_teardown(role, stream.stream(), std::move(handler));
  });
}

}  // namespace roomd
