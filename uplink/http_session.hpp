// One HTTP connection to the API: reads requests (keep-alive), answers REST calls, and hands
// a WebSocket upgrade on a control path to a WsSession after checking the key (401) and the
// connection limit (503), so a refused client never gets a socket.
#pragma once

#include "uplink/beast.hpp"
#include "uplink/rest_api.hpp"

#include <memory>
#include <optional>
#include <string>

namespace roomd {

struct ApiContext;

class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<ApiContext> api, tcp::socket socket);
  void run();

 private:
  void read();
  void on_read(beast::error_code ec);
  void upgrade();
  void write(HttpResponse response);
  void on_write(bool keep_alive, beast::error_code ec);

  std::shared_ptr<ApiContext> keep_;  // outlives this session
  ApiContext& api_;
  beast::tcp_stream stream_;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpResponse> response_;  // kept alive while it is written
};

}  // namespace roomd
