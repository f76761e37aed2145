#include "uplink/api_server.hpp"

#include "runtime/runtime.hpp"
#include "uplink/api_context.hpp"
#include "uplink/beast.hpp"
#include "uplink/http_session.hpp"
#include "uplink/ws_session.hpp"

#include <boost/asio/steady_timer.hpp>

#include <unordered_map>

namespace roomd {

namespace {

constexpr auto kSweepEvery = std::chrono::seconds(1);

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

}  // namespace

struct ApiServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, Runtime& runtime)
      : context(std::make_shared<ApiContext>(runtime, runtime.config().api, runtime.state(),
                                             runtime.logs().logger("api", "api"),
                                             io.get_executor())),
        io(io),
        acceptor(io),
        sweep(io) {}

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<HttpSession>(context, std::move(socket))->run();
      } else if (ec != asio::error::operation_aborted) {
        // EMFILE and friends: log and keep accepting rather than going deaf.
        context->log.warn("accept on ", context->config.listen, " failed: ", ec.message());
      }
      accept();
    }
  }

  std::vector<std::shared_ptr<WsSession>> live_sessions() const {
    std::vector<std::shared_ptr<WsSession>> live;
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
  asio::io_context& io;
  tcp::acceptor acceptor;
  asio::steady_timer sweep;
  std::uint16_t port = 0;
};

ApiServer::ApiServer(asio::io_context& io, Runtime& runtime)
    : impl_(std::make_shared<Impl>(io, runtime)) {}

ApiServer::~ApiServer() {
  stop();
}

std::uint16_t ApiServer::start() {
  const auto& listen = impl_->context->config.listen;
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
  impl_->accept();
  impl_->arm_sweep();
  impl_->context->log.info("API listening on ", listen, " (port ", impl_->port, ")");
  return impl_->port;
}

void ApiServer::stop() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->sweep.cancel();
  impl_->context->stopped = true;
  for (auto& s : impl_->live_sessions()) s->shutdown();
}

std::uint16_t ApiServer::port() const {
  return impl_->port;
}

std::size_t ApiServer::open_sessions() const {
  return impl_->context->sessions.size();
}

std::size_t ApiServer::queued_bytes() const {
  std::size_t total = 0;
  for (auto& [raw, weak] : impl_->context->sessions) total += raw->queued_bytes();
  return total;
}

ApiContext& ApiServer::context() {
  return *impl_->context;
}

}  // namespace roomd
