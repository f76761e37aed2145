// One HTTP connection to the API: reads requests (keep-alive), answers the server's own routes,
// hands every other request to the front-end that serves its path, and a WebSocket upgrade to
// the front-end that owns the endpoint once upgrade_check allows it, so a refused client
// never gets a socket. A request head must arrive within api.header_timeout;
// a malformed request is answered 400 before the connection closes. While it waits for a
// head, a full server may close it to make room (ConnectionLimits). Under api.tls the TLS
// handshake comes first, bounded and evictable the same way.
#pragma once

#include "uplink/http/api_stream.hpp"
#include "uplink/http/beast.hpp"
#include "uplink/http/connection_limits.hpp"
#include "uplink/http/http_request.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace roomd {

struct ApiContext;

class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<ApiContext> api, ApiStream stream, ConnectionSlot slot);
  void run();

 private:
  void on_handshake(beast::error_code ec);
  // Bounds the next read or write: past it the operation fails with beast::error::timeout.
  void expires_after(Duration timeout);
  void expires_never();
  beast::error_code timed_out(beast::error_code ec) const;
  void read();
  void on_header(beast::error_code ec);
  void on_read(beast::error_code ec);
  bool answer_error(beast::error_code ec);
  void evict();
  void route();
  void upgrade();
  void write(HttpResponse response);
  void on_write(bool keep_alive, beast::error_code ec);
  void close();

  std::shared_ptr<ApiContext> keep_;  // outlives this session
  ApiContext& api_;
  ConnectionSlot slot_;  // before stream_, so it is released after the socket closed
  ApiStream stream_;
  asio::steady_timer deadline_;
  std::uint64_t deadline_generation_ = 0;  // a fired wait of an earlier bound does nothing
  bool timed_out_ = false;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::shared_ptr<HttpResponse> response_;  // kept alive while it is written
};

}  // namespace roomd
