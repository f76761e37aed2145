#include "uplink/http/http_session.hpp"

#include "uplink/http/api_context.hpp"
#include "uplink/http/lingering_close.hpp"
#include "uplink/http/request_router.hpp"
#include "uplink/http/tls_stream.hpp"
#include "uplink/http/upgrade_check.hpp"

namespace roomd {

namespace {

// For the body, once the head has arrived: a large upload on a slow link may need it.
constexpr auto kBodyTimeout = std::chrono::seconds(30);

std::string describe_peer(const tcp::socket& socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown peer";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace

HttpSession::HttpSession(std::shared_ptr<ApiContext> api, ApiStream stream, ConnectionSlot slot)
    : keep_(std::move(api)),
      api_(*keep_),
      slot_(std::move(slot)),
      stream_(std::move(stream)),
      deadline_(stream_.get_executor()) {
  peer_ = describe_peer(stream_.socket());
}

void HttpSession::run() {
  if (!stream_.is_tls()) return read();
  // A client that connects and says nothing is dropped like one that never sends a head.
  slot_.wait_for_request([weak = weak_from_this()] {
    if (auto self = weak.lock()) self->evict();
  });
  expires_after(api_.config.header_timeout);
  stream_.async_handshake(
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_handshake(ec); });
}

void HttpSession::on_handshake(beast::error_code ec) {
  ec = timed_out(ec);
  if (!ec) return read();
  if (ec == asio::error::operation_aborted) return;  // evicted to make room
  ++api_.metrics.tls_handshake_failures;
  if (auto more = api_.warnings.tls.pass()) {
    if (ec == beast::error::timeout)
      api_.log.warn("TLS handshake from ", peer_, " failed: none within api.header_timeout (",
                    api_.config.header_timeout.count(), " ms); closed", *more);
    else
      api_.log.warn("TLS handshake from ", peer_, " failed: ", TlsStream::describe(ec), *more);
  }
  beast::error_code ignored;
  stream_.socket().close(ignored);
}

void HttpSession::expires_after(Duration timeout) {
  timed_out_ = false;
  const auto generation = ++deadline_generation_;
  deadline_.expires_after(timeout);
  deadline_.async_wait([weak = weak_from_this(), generation](beast::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->deadline_generation_ != generation) return;
    self->timed_out_ = true;
    beast::error_code ignored;
    self->stream_.socket().cancel(ignored);
  });
}

void HttpSession::expires_never() {
  ++deadline_generation_;
  deadline_.cancel();
}

beast::error_code HttpSession::timed_out(beast::error_code ec) const {
  if (timed_out_ && ec == asio::error::operation_aborted) return beast::error::timeout;
  return ec;
}

void HttpSession::read() {
  start_request(parser_);
  // Until its head arrives this connection may be closed for a newcomer when the server is
  // full: idle sockets cannot keep out a client that talks.
  slot_.wait_for_request([weak = weak_from_this()] {
    if (auto self = weak.lock()) self->evict();
  });
  // Counted from the connection or the previous answer: an idle keep-alive connection and a
  // client that never finishes its head are closed alike.
  expires_after(api_.config.header_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            self->on_header(self->timed_out(ec));
                          });
}

void HttpSession::on_header(beast::error_code ec) {
  slot_.request_arrived();
  if (answer_error(ec)) return;
  if (parser_->is_done()) return on_read({});
  expires_after(kBodyTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     self->on_read(self->timed_out(ec));
                   });
}

void HttpSession::on_read(beast::error_code ec) {
  if (answer_error(ec)) return;
  expires_never();
  if (websocket::is_upgrade(parser_->get())) return upgrade();
  route();
}

void HttpSession::route() {
  // The callback owns the session: an exec answers later, after this handler returned.
  route_request(
      api_, parser_->get(), peer_, stream_.get_executor(),
      [self = shared_from_this()](HttpResponse response) { self->write(std::move(response)); });
}

// True when the read failed: the client gets its 400/413/431, or the connection just ends.
bool HttpSession::answer_error(beast::error_code ec) {
  if (!ec) return false;
  if (auto answer = answer_read_error(ec)) {
    ++api_.metrics.http_bad_requests;
    if (auto more = api_.warnings.malformed.pass())
      api_.log.warn("HTTP from ", peer_, " refused with ", answer->result_int(), ": ", ec.message(),
                    *more);
    write(std::move(*answer));
    return true;
  }
  if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
      ec != asio::error::operation_aborted)
    api_.log.debug("HTTP from ", peer_, ": ", ec.message());
  if (stream_.socket().is_open()) close();
  return true;
}

void HttpSession::evict() {
  api_.log.debug("closing idle connection ", peer_, " to make room (api.max_connections)");
  slot_.release();
  beast::error_code ignored;
  stream_.socket().close(ignored);
}

void HttpSession::upgrade() {
  auto request = parser_->release();
  auto checked = check_upgrade(api_, request, peer_);
  if (auto* refusal = std::get_if<HttpResponse>(&checked)) return write(std::move(*refusal));
  const auto [front_end, grant] = std::get<AdmittedUpgrade>(checked);
  auto peer = grant ? peer_ + " key " + grant->key_id : peer_;
  auto session =
      front_end->upgrade(keep_, std::move(stream_), std::move(slot_), grant, std::move(peer));
  api_.session_opened(session);
  session->run(std::move(request));
}

void HttpSession::write(HttpResponse response) {
  response_ = std::make_shared<HttpResponse>(std::move(response));
  const bool keep_alive = response_->keep_alive();
  expires_after(kBodyTimeout);
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                      self->on_write(keep_alive, self->timed_out(ec));
                    });
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec) {
  response_.reset();
  if (ec) return;
  if (!keep_alive) return close();
  read();
}

void HttpSession::close() {
  expires_never();
  linger_close(std::move(stream_), std::move(slot_));
}

}  // namespace roomd
