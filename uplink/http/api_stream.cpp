#include "uplink/http/api_stream.hpp"

#include "uplink/http/tls_stream.hpp"

#include <boost/asio/post.hpp>

namespace roomd {

ApiStream::ApiStream(tcp::socket socket) : socket_(std::move(socket)) {}

ApiStream::ApiStream(std::unique_ptr<TlsStream> tls)
    : socket_(tls->socket().get_executor()), tls_(std::move(tls)) {}

ApiStream::ApiStream(ApiStream&& other) noexcept = default;
ApiStream& ApiStream::operator=(ApiStream&& other) noexcept = default;
ApiStream::~ApiStream() = default;

tcp::socket& ApiStream::tls_socket() {
  return tls_->socket();
}

void ApiStream::async_handshake(Handler handler) {
  if (tls_) return tls_->async_handshake(std::move(handler));
  asio::post(get_executor(), [h = std::move(handler)]() mutable {
    std::move(h)(beast::error_code(), std::size_t{0});
  });
}

void ApiStream::async_shutdown(Handler handler) {
  if (tls_) return tls_->async_shutdown(std::move(handler));
  asio::post(get_executor(), [h = std::move(handler)]() mutable {
    std::move(h)(beast::error_code(), std::size_t{0});
  });
}

void ApiStream::tls_read(asio::mutable_buffer buffer, Handler handler) {
  tls_->async_read_some(buffer, std::move(handler));
}

void ApiStream::tls_write(asio::const_buffer buffer, Handler handler) {
  tls_->async_write_some(buffer, std::move(handler));
}

}  // namespace roomd
