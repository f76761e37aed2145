#include "uplink/http_session.hpp"

#include "uplink/api_context.hpp"
#include "uplink/credentials.hpp"
#include "uplink/url.hpp"
#include "uplink/ws_session.hpp"

namespace roomd {

namespace {

constexpr std::size_t kMaxBody = 1 << 20;  // REST arguments; nothing legitimate comes close
constexpr auto kRequestTimeout = std::chrono::seconds(30);

bool is_control_path(std::string_view path) {
  return path == "/api/engine/v2/systems/control" || path == "/control/websocket";
}

std::string describe_peer(const tcp::socket& socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown peer";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace

HttpSession::HttpSession(std::shared_ptr<ApiContext> api, tcp::socket socket)
    : keep_(std::move(api)), api_(*keep_), stream_(std::move(socket)) {
  peer_ = describe_peer(stream_.socket());
}

void HttpSession::run() {
  read();
}

void HttpSession::read() {
  parser_.emplace();
  parser_->body_limit(kMaxBody);
  parser_->header_limit(16 * 1024);
  stream_.expires_after(kRequestTimeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void HttpSession::on_read(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  if (ec) {
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      HttpRequest request;
      request.keep_alive(false);  // the rest of the oversized request is still unread
      write(json_response(
          request,
          ec == http::error::body_limit ? http::status::payload_too_large
                                        : http::status::request_header_fields_too_large,
          R"({"code":1,"error_code":1,"msg":"request too large: body limit 1 MiB, headers 16 KiB"})"));
      return;
    }
    api_.log.debug("HTTP from ", peer_, ": ", ec.message());
    return;
  }
  if (websocket::is_upgrade(parser_->get())) return upgrade();

  const auto& request = parser_->get();
  const Grant* grant = nullptr;
  if (auto key = find_api_key(request)) grant = api_.keys.authenticate(*key);
  RestApi rest(api_);
  // The callback owns the session: an exec answers later, after this handler returned.
  rest.handle(request, grant, [self = shared_from_this()](HttpResponse response) {
    self->write(std::move(response));
  });
}

void HttpSession::upgrade() {
  auto request = parser_->release();
  const auto path = url::split_target(request.target()).path;
  if (!is_control_path(path)) {
    write(json_response(
        request, http::status::not_found,
        R"({"code":1,"error_code":1,"msg":"WebSocket endpoints are /api/engine/v2/systems/control and /control/websocket"})"));
    return;
  }
  const Grant* grant = nullptr;
  auto key = find_api_key(request);
  if (key) grant = api_.keys.authenticate(*key);
  if (!grant) {
    ++api_.metrics.connections_rejected;
    api_.log.warn("WebSocket from ", peer_, " refused: ",
                  key ? "unknown API key (fingerprint " + key_fingerprint(*key) + ")"
                      : std::string("no API key"));
    auto response = json_response(
        request, http::status::unauthorized,
        R"({"code":2,"error_code":2,"msg":"missing or unknown API key; pass it as X-API-Key, Authorization: Bearer, ?api-key=, ?bearer_token= or an api-key cookie"})");
    response.keep_alive(false);
    write(std::move(response));
    return;
  }
  if (api_.stopped || api_.sessions.size() >= api_.config.max_connections) {
    ++api_.metrics.connections_rejected;
    if (!api_.stopped)
      api_.log.warn("WebSocket from ", peer_, " refused: api.max_connections (",
                    api_.config.max_connections, ") reached");
    auto response = json_response(
        request, http::status::service_unavailable,
        api_.stopped
            ? R"({"code":7,"error_code":7,"msg":"roomd is shutting down"})"
            : R"({"code":7,"error_code":7,"msg":"too many connections; try again later"})");
    response.keep_alive(false);
    write(std::move(response));
    return;
  }
  auto peer = peer_ + " key " + grant->key_id;
  auto session =
      std::make_shared<WsSession>(keep_, stream_.release_socket(), *grant, std::move(peer));
  // Counted from now, so a burst of handshakes cannot pass max_connections together.
  api_.session_opened(session);
  session->run(std::move(request));
}

void HttpSession::write(HttpResponse response) {
  response_ = std::make_shared<HttpResponse>(std::move(response));
  const bool keep_alive = response_->keep_alive();
  stream_.expires_after(kRequestTimeout);
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                      self->on_write(keep_alive, ec);
                    });
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec) {
  response_.reset();
  if (ec) return;
  if (!keep_alive) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  read();
}

}  // namespace roomd
