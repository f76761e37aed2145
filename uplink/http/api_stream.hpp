// The byte stream of one API connection: the TCP socket itself, or TLS over it when api.tls
// is set. Plain connections call the socket directly (one branch, no allocation, no erased
// call); TLS goes through TlsStream, whose OpenSSL headers stay out of this one. Sessions,
// the WebSocket's CorkedStream and the lingering close all speak through it.
#pragma once

#include "uplink/http/beast.hpp"

#include <boost/asio/any_completion_handler.hpp>

#include <algorithm>
#include <memory>
#include <vector>

namespace roomd {

class TlsStream;

class ApiStream {
 public:
  using executor_type = tcp::socket::executor_type;
  using Handler = asio::any_completion_handler<void(beast::error_code, std::size_t)>;
  // Beast hands over a response as many small buffers; over TLS each write would be a
  // record of its own, so writes gather up to this much into one.
  static constexpr std::size_t kTlsGather = 16 * 1024;

  explicit ApiStream(tcp::socket socket);
  explicit ApiStream(std::unique_ptr<TlsStream> tls);
  ApiStream(ApiStream&& other) noexcept;
  ApiStream& operator=(ApiStream&& other) noexcept;
  ~ApiStream();

  bool is_tls() const { return tls_ != nullptr; }
  executor_type get_executor() { return socket_.get_executor(); }
  // The connection's socket (under TLS, the one beneath it): for the peer, options, closing.
  tcp::socket& socket() { return tls_ ? tls_socket() : socket_; }

  // Under TLS: the server's handshake. Plain: completes at once.
  void async_handshake(Handler handler);
  // Under TLS: close_notify, then the peer's. Plain: completes at once.
  void async_shutdown(Handler handler);

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
        [this](auto handler, const Buffers& data) {
          if (!tls_) return socket_.async_read_some(data, std::move(handler));
          tls_read(first_of<asio::mutable_buffer>(data), Handler(std::move(handler)));
        },
        token, buffers);
  }

  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
        [this](auto handler, const Buffers& data) {
          if (!tls_) return socket_.async_write_some(data, std::move(handler));
          tls_write(gather(data), Handler(std::move(handler)));
        },
        token, buffers);
  }

 private:
  template <class Buffer, class Buffers>
  static Buffer first_of(const Buffers& buffers) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      Buffer buffer(*it);
      if (buffer.size() != 0) return buffer;
    }
    return Buffer();
  }

  // The first buffer alone when it is large or the only one; else up to kTlsGather bytes of
  // the sequence copied together (a write may take fewer bytes than offered).
  template <class Buffers>
  asio::const_buffer gather(const Buffers& buffers) {
    const auto first = first_of<asio::const_buffer>(buffers);
    const auto total = asio::buffer_size(buffers);
    if (first.size() >= kTlsGather || first.size() == total) return first;
    gathered_.resize(std::min(total, kTlsGather));
    const auto n = asio::buffer_copy(asio::buffer(gathered_), buffers);
    return asio::buffer(gathered_.data(), n);
  }

  tcp::socket& tls_socket();
  void tls_read(asio::mutable_buffer buffer, Handler handler);
  void tls_write(asio::const_buffer buffer, Handler handler);

  tcp::socket socket_;  // plain; under TLS an unopened socket on the same executor
  std::unique_ptr<TlsStream> tls_;
  std::vector<char> gathered_;  // a TLS write's bytes, while it is in flight
};

// How Beast ends a WebSocket over it: under TLS close_notify first, then, as for a plain
// connection, the TCP shutdown and the wait for the peer's end.
template <class TeardownHandler>
void async_teardown(beast::role_type role, ApiStream& stream, TeardownHandler&& handler) {
  if (!stream.is_tls())
    return websocket::async_teardown(role, stream.socket(), std::forward<TeardownHandler>(handler));
  stream.async_shutdown([role, &stream, h = std::forward<TeardownHandler>(handler)](
                            beast::error_code, std::size_t) mutable {
    websocket::async_teardown(role, stream.socket(), std::move(h));
  });
}

inline void teardown(beast::role_type role, ApiStream& stream, beast::error_code& ec) {
  websocket::teardown(role, stream.socket(), ec);
}

}  // namespace roomd
