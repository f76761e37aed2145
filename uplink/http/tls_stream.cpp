#include "uplink/http/tls_stream.hpp"

#include "config/tls_pair.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
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
  if (ec == asio::ssl::error::stream_truncated || ec == asio::error::eof)
    return "the client closed the connection during the handshake";
  if (ec.category() != asio::error::get_ssl_category()) return ec.message();
  const auto code = static_cast<unsigned long>(ec.value());
  const char* text = ERR_reason_error_string(code);
  const std::string reason = text != nullptr ? text : ec.message();
  switch (ERR_GET_REASON(code)) {
    case SSL_R_HTTP_REQUEST:
      return "a plain HTTP request; the API takes https:// and wss:// only";
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
      return reason +
             ": the client refused the certificate of api.tls.cert_file; it must trust the CA "
             "that signed it and open the box by a name or address the certificate holds";
    default:
      return reason + " (the API takes TLS 1.2 or later)";
  }
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
