// One API connection's TLS layer: OpenSSL's session over the connection's socket, behind
// plain functions with type-erased handlers, so only the files that set TLS up include
// OpenSSL. ApiStream holds one when api.tls is set; plain connections never touch it.
#pragma once

#include "config/config.hpp"
#include "uplink/http/beast.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <string>

namespace roomd {

class TlsStream {
 public:
  using Handler = asio::any_completion_handler<void(beast::error_code, std::size_t)>;

  TlsStream(tcp::socket socket, asio::ssl::context& context)
      : stream_(std::move(socket), context) {}

  tcp::socket& socket() { return stream_.next_layer(); }

  // The server's side of the handshake; completes with 0 bytes.
  void async_handshake(Handler handler);
  void async_read_some(asio::mutable_buffer buffer, Handler handler);
  void async_write_some(asio::const_buffer buffer, Handler handler);
  // Sends close_notify and waits for the peer's; completes with 0 bytes.
  void async_shutdown(Handler handler);

  // Why a handshake failed, in OpenSSL's words where it has some ("wrong version number" for
  // plain HTTP, "no shared cipher", ...).
  static std::string describe(const beast::error_code& ec);

 private:
  asio::ssl::stream<tcp::socket> stream_;
};

// The server's context for api.tls: TLS 1.2 and later, the configured certificate and key.
// Throws std::runtime_error naming api.tls and the file at fault.
asio::ssl::context make_api_tls_context(const ApiTlsConfig& config);

}  // namespace roomd
