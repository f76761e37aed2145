#include "uplink/http/tls_stream.hpp"

#include "config/tls_pair.hpp"

#include <openssl/err.h>
#include <boost/asio/ssl/error.hpp>

#include <stdexcept>

namespace roomd {

void TlsStream::async_handshake(Handler handler) {
  stream_.async_handshake(
      asio::ssl::stream_base::server,
      [h = std::move(handler)](beast::error_code ec) mutable { std::move(h)(ec, std::size_t{0}); });
}

void TlsStream::async_read_some(asio::mutable_buffer buffer, Handler handler) {
  stream_.async_read_some(buffer, std::move(handler));
}

void TlsStream::async_write_some(asio::const_buffer buffer, Handler handler) {
  stream_.async_write_some(buffer, std::move(handler));
}

void TlsStream::async_shutdown(Handler handler) {
  stream_.async_shutdown(
      [h = std::move(handler)](beast::error_code ec) mutable { std::move(h)(ec, std::size_t{0}); });
}

std::string TlsStream::describe(const beast::error_code& ec) {
  if (ec == asio::ssl::error::stream_truncated) return "the client closed the connection";
  if (ec == asio::error::eof) return "the client closed the connection";
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (reason != nullptr) return reason;
  }
  return ec.message();
}

asio::ssl::context make_api_tls_context(const ApiTlsConfig& config) {
  asio::ssl::context context(asio::ssl::context::tls_server);
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  if (auto problem = load_tls_pair(context.native_handle(), config.cert_file, config.key_file))
    throw std::runtime_error(
        std::string(problem->in_key ? "api.tls.key_file" : "api.tls.cert_file") + ": " +
        problem->message);
  return context;
}

}  // namespace roomd
