#include "uplink/http/api_server.hpp"

#include "uplink/http/api_context.hpp"
#include "uplink/http/beast.hpp"
#include "uplink/http/http_session.hpp"
#include "uplink/http/lingering_close.hpp"
#include "uplink/http/tls_stream.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <optional>
#include <string_view>

namespace roomd {

namespace {

constexpr auto kSweepEvery = std::chrono::seconds(1);
constexpr Duration kAcceptBackoffMin{50};
constexpr Duration kAcceptBackoffMax{1000};
// Files kept for everything but API connections: device links, serial ports, the database,
// the journal, plugins.
constexpr std::size_t kFilesForTheRest = 256;

constexpr std::string_view kServerFull =
    R"({"code":7,"error_code":7,"msg":"too many connections (api.max_connections); try later"})";
constexpr std::string_view kAddressFull =
    R"({"code":7,"error_code":7,"msg":"too many connections from your address (api.max_connections_per_address); try later"})";

// Written straight to the socket: a refused connection gets no parser and no session.
std::string service_unavailable(std::string_view body) {
  return "HTTP/1.1 503 Service Unavailable\r\nServer: roomd\r\nContent-Type: "
         "application/json\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// "host:port" as validated by the config loader; a host name is resolved (first address).
tcp::endpoint parse_listen(asio::io_context& io, const std::string& listen) {
  auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const auto port = static_cast<std::uint16_t>(std::stoi(listen.substr(colon + 1)));
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (!ec) return {address, port};
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, std::to_string(port));
  return *results.begin();
}

// Every connection is a file. When the process may not open enough of them for
// api.max_connections next to what the rest of roomd needs, the bound is lowered, so the box
// refuses connections with a clear 503 instead of failing accept() with EMFILE.
void fit_file_limit(ApiContext& api) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  const auto files = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t reserve = kFilesForTheRest + ConnectionLimits::kMaxRefusing;
  const std::size_t fits = files > reserve ? files - reserve : 1;
  if (api.limits->max_total() <= fits) return;
  api.log.warn("api.max_connections (", api.limits->max_total(), ") lowered to ", fits,
               ": the process may open only ", files,
               " files; raise LimitNOFILE in the service unit to allow more");
  api.limits->cap_total(fits);
}

}  // namespace

struct ApiServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, Runtime& runtime, int io_threads)
      : context(std::make_shared<ApiContext>(runtime, io_threads > 1
                                                          ? Executor(asio::make_strand(io))
                                                          : Executor(io.get_executor()))),
        io(io),
        acceptor(context->strand),
        accept_timer(context->strand),
        sweep(context->strand) {}

  // Every connection's socket, and so every session's handlers, run on the API strand.
  void accept() {
    acceptor.async_accept(context->strand,
                          [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                            self->on_accept(ec, std::move(socket));
                          });
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) return accept_failed(ec);
    accept_delay = kAcceptBackoffMin;
    beast::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    if (peer_ec) {  // reset before we got to it
      accept();
      return;
    }
    const auto evicted = context->limits->evicted();
    auto admitted = context->limits->admit(peer.address());
    if (context->limits->evicted() != evicted) {
      if (auto more = context->warnings.refused.pass())
        context->log.warn("api.max_connections (", context->limits->max_total(),
                          ") reached: closed the connection that waited longest for a request "
                          "to admit one from ",
                          peer.address().to_string(), *more);
    }
    if (auto* slot = std::get_if<ConnectionSlot>(&admitted)) {
      socket.set_option(tcp::no_delay(true), peer_ec);
      std::make_shared<HttpSession>(context, stream(std::move(socket)), std::move(*slot))->run();
    } else {
      refuse(std::move(socket), peer, std::get<Refusal>(admitted));
    }
    accept();
  }

  // Out of file descriptors (EMFILE, ENFILE) or memory: the pending connection stays in the
  // kernel's queue, so accepting again at once would fail again at once. Wait, longer each
  // time, until an accept succeeds.
  void accept_failed(beast::error_code ec) {
    ++context->metrics.accept_errors;
    if (auto more = context->warnings.accept_failed.pass())
      context->log.warn(
          "accepting a connection on ", context->config.listen, " failed: ", ec.message(), " (",
          context->limits->open(), " API connections open); retrying in ", accept_delay.count(),
          " ms. Check the open-file limit (LimitNOFILE) and api.max_connections", *more);
    accept_timer.expires_after(accept_delay);
    accept_delay = std::min(accept_delay * 2, kAcceptBackoffMax);
    accept_timer.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (wait_ec || !self->acceptor.is_open()) return;
      self->accept();
    });
  }

  ApiStream stream(tcp::socket socket) {
    if (!tls) return ApiStream(std::move(socket));
    return ApiStream(std::make_unique<TlsStream>(std::move(socket), *tls));
  }

  // A connection over a bound gets a short 503 and is closed, without a session. Under TLS it
  // is closed without one: answering would cost a handshake per refused connection.
  void refuse(tcp::socket socket, const tcp::endpoint& peer, Refusal why) {
    const bool server_full = why == Refusal::server_full;
    ++(server_full ? context->metrics.http_refused_server_full
                   : context->metrics.http_refused_address_full);
    if (auto more = context->warnings.refused.pass()) {
      const auto& limits = *context->limits;
      if (server_full)
        context->log.warn("connection from ", peer.address().to_string(),
                          " refused with 503: api.max_connections (", limits.max_total(),
                          ") connections are open", *more);
      else
        context->log.warn("connection from ", peer.address().to_string(),
                          " refused with 503: it already has api.max_connections_per_address (",
                          limits.max_per_address(), ") connections open", *more);
    }
    auto slot = context->limits->admit_refusal();
    if (!slot) return;  // too many being answered already: the socket just closes
    linger_close(
        ApiStream(std::move(socket)), std::move(slot),
        tls ? std::string() : service_unavailable(server_full ? kServerFull : kAddressFull));
  }

  std::vector<std::shared_ptr<LiveSession>> live_sessions() const {
    std::vector<std::shared_ptr<LiveSession>> live;
    for (auto& [raw, weak] : context->sessions)
      if (auto s = weak.lock()) live.push_back(std::move(s));
    return live;
  }

  void arm_sweep() {
    sweep.expires_after(kSweepEvery);
    sweep.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->context->stopped) return;
      const auto now = Clock::now();
      // check_backlog may close a session, which unregisters it: iterate a copy.
      for (auto& s : self->live_sessions()) s->check_backlog(now);
      self->arm_sweep();
    });
  }

  std::shared_ptr<ApiContext> context;
  std::optional<asio::ssl::context> tls;  // set by start() when api.tls is
  asio::io_context& io;
  tcp::acceptor acceptor;
  asio::steady_timer accept_timer;
  Duration accept_delay = kAcceptBackoffMin;
  asio::steady_timer sweep;
  std::uint16_t port = 0;
};

ApiServer::ApiServer(asio::io_context& io, Runtime& runtime, int io_threads)
    : impl_(std::make_shared<Impl>(io, runtime, io_threads)) {}

ApiServer::~ApiServer() {
  stop();
}

std::uint16_t ApiServer::start() {
  const auto& listen = impl_->context->config.listen;
  if (const auto& tls = impl_->context->config.tls) impl_->tls.emplace(make_api_tls_context(*tls));
  try {
    auto endpoint = parse_listen(impl_->io, listen);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    impl_->port = acceptor.local_endpoint().port();
  } catch (const std::exception& e) {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    throw std::runtime_error("api.listen " + listen + ": cannot listen (" + e.what() +
                             "); check that no other service uses the port and that the "
                             "address belongs to this box");
  }
  if (impl_->context->keys.empty())
    impl_->context->log.warn("api.keys is empty: every WebSocket and REST request will get 401");
  fit_file_limit(*impl_->context);
  impl_->accept();
  impl_->arm_sweep();
  impl_->context->log.info("API listening on ", listen, " (port ", impl_->port, ")",
                           impl_->tls ? ": HTTPS and WSS only (api.tls)" : "");
  return impl_->port;
}

void ApiServer::stop() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->accept_timer.cancel();
  impl_->sweep.cancel();
  impl_->context->stopped = true;
  for (auto& s : impl_->live_sessions()) s->shutdown();
}

std::uint16_t ApiServer::port() const {
  return impl_->port;
}

std::size_t ApiServer::replace_keys(const std::vector<ApiKeyConfig>& keys) {
  auto& context = *impl_->context;
  const auto gone = context.replace_keys(keys);
  std::size_t revoked = 0;
  for (auto& session : impl_->live_sessions()) {
    if (std::find(gone.begin(), gone.end(), session->key_id()) == gone.end()) continue;
    session->revoke();
    ++revoked;
  }
  if (context.keys.empty())
    context.log.warn("api.keys is empty: every WebSocket and REST request will get 401");
  return revoked;
}

std::size_t ApiServer::open_sessions() const {
  return impl_->context->sessions.size();
}

std::size_t ApiServer::queued_bytes() const {
  std::size_t total = 0;
  for (auto& [raw, weak] : impl_->context->sessions) total += raw->queued_bytes();
  return total;
}

void ApiServer::mount(std::shared_ptr<FrontEnd> front_end) {
  impl_->context->front_ends.push_back(std::move(front_end));
}

ApiContext& ApiServer::context() {
  return *impl_->context;
}

}  // namespace roomd
