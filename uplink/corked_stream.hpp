// The byte stream under each WebSocket: frames written during one turn of the event loop, or
// while an earlier batch is still on the wire, are sent together in one system call. A burst
// of status changes then costs one send per panel instead of one per change. Beast sees an
// ordinary async stream; every frame it writes (data, ping, pong, close) goes through here in
// order.
#pragma once

#include "uplink/beast.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

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

  explicit CorkedStream(tcp::socket socket) : state_(std::make_shared<State>(std::move(socket))) {}

  executor_type get_executor() { return state_->socket.get_executor(); }
  tcp::socket& socket() { return state_->socket; }
  tcp::socket& next_layer() { return state_->socket; }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return state_->socket.async_read_some(buffers, std::forward<Token>(token));
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
    explicit State(tcp::socket s) : socket(std::move(s)) {}

    template <class Buffers>
    void append(const Buffers& data, Handler handler) {
      const std::size_t n = asio::buffer_size(data);
      if (error) {
        complete(std::move(handler), error, 0);
        return;
      }
      const auto old = pending.size();
      pending.resize(old + n);
      asio::buffer_copy(asio::buffer(pending.data() + old, n), data);
      if (!writing && !flush_posted) {
        // At the end of this turn: the rest of a burst joins the same send.
        flush_posted = true;
        asio::post(socket.get_executor(), [self = shared_from_this()] {
          self->flush_posted = false;
          if (!self->writing && !self->pending.empty() && !self->error) self->flush();
        });
      }
      if (pending.size() <= kHighWater)
        complete(std::move(handler), {}, n);
      else
        blocked.emplace(std::move(handler), n);  // released when the batch is written
    }

    void flush() {
      writing = true;
      in_flight.swap(pending);
      pending.clear();
      asio::async_write(
          socket, asio::buffer(in_flight),
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_flushed(ec); });
    }

    void on_flushed(beast::error_code ec) {
      writing = false;
      in_flight.clear();
      if (ec) error = ec;
      if (!error && !pending.empty()) flush();
      if (blocked && (error || pending.size() <= kHighWater)) {
        auto [handler, n] = std::move(*blocked);
        blocked.reset();
        complete(std::move(handler), error, error ? 0 : n);
      }
    }

    void complete(Handler handler, beast::error_code ec, std::size_t n) {
      // Never inline: Beast's write op must not re-enter itself.
      asio::post(socket.get_executor(),
                 [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); });
    }

    tcp::socket socket;
    std::string pending;    // written by Beast, not yet handed to the socket
    std::string in_flight;  // the batch the socket is writing
    bool writing = false;
    bool flush_posted = false;
    beast::error_code error;  // the first write error; every later write fails with it
    std::optional<std::pair<Handler, std::size_t>> blocked;
  };

  std::shared_ptr<State> state_;  // shared with the write in flight
};

// How Beast ends a WebSocket connection over this stream: as over the socket itself.
inline void teardown(beast::role_type role, CorkedStream& stream, beast::error_code& ec) {
  websocket::teardown(role, stream.socket(), ec);
}

template <class Handler>
void async_teardown(beast::role_type role, CorkedStream& stream, Handler&& handler) {
  websocket::async_teardown(role, stream.socket(), std::forward<Handler>(handler));
}

}  // namespace roomd
