#include "transports/tcp_client.hpp"

#include "transports/host_port.hpp"
#include "transports/link_core.hpp"
#include "transports/stream_policy.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <utility>

namespace roomd {

namespace {

using Tcp = asio::ip::tcp;

// Device control links are idle most of the time; without this a projector that lost power
// looks connected until the next command times out. 30 s idle + 3 probes 10 s apart.
constexpr int kKeepaliveIdleSeconds = 30;
constexpr int kKeepaliveIntervalSeconds = 10;
constexpr int kKeepaliveProbes = 3;

void set_int_option(Tcp::socket& socket, int level, int name, int value) {
  // Best effort: a missing option only delays noticing a dead peer.
  (void)::setsockopt(socket.native_handle(), level, name, &value, sizeof value);
}

// Resolves the host unless it is an address, connects within cfg.connect_timeout.
class TcpPolicy : public StreamPolicy {
 public:
  using Channel = Tcp::socket;
  static constexpr std::size_t kReadBufferSize = 8192;

  TcpPolicy(const Executor& executor, TcpTransportConfig cfg, std::uint16_t default_port)
      : cfg_(std::move(cfg)),
        port_(cfg_.port != 0 ? cfg_.port : default_port),
        resolver_(executor) {}

  Duration open_timeout() const { return cfg_.connect_timeout; }

  template <class Done>
  void open(Channel& socket, Done done) {
    error_code ec;
    const auto address = asio::ip::make_address(cfg_.host, ec);
    if (!ec) {
      connect(socket, std::array<Tcp::endpoint, 1>{Tcp::endpoint(address, port_)}, std::move(done));
      return;
    }
    resolver_.async_resolve(cfg_.host, std::to_string(port_), Tcp::resolver::numeric_service,
                            [&socket, done = std::move(done)](
                                error_code ec, Tcp::resolver::results_type endpoints) mutable {
                              if (!ec && done.cancelled()) ec = asio::error::operation_aborted;
                              if (ec) {
                                done(ec);
                                return;
                              }
                              connect(socket, endpoints, std::move(done));
                            });
  }

  void cancel_open() { resolver_.cancel(); }

  void opened(Channel& socket) const {
    error_code ignored;
    // Commands are small and latency matters more than packet count.
    socket.set_option(Tcp::no_delay(true), ignored);
    if (!cfg_.keepalive) return;
    socket.set_option(asio::socket_base::keep_alive(true), ignored);
#if defined(TCP_KEEPIDLE) && defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
    set_int_option(socket, IPPROTO_TCP, TCP_KEEPIDLE, kKeepaliveIdleSeconds);
    set_int_option(socket, IPPROTO_TCP, TCP_KEEPINTVL, kKeepaliveIntervalSeconds);
    set_int_option(socket, IPPROTO_TCP, TCP_KEEPCNT, kKeepaliveProbes);
#endif
  }

  std::string describe() const {
    return "tcp " + host_port(cfg_.host, port_);
  }

 private:
  template <class Endpoints, class Done>
  static void connect(Channel& socket, const Endpoints& endpoints, Done done) {
    asio::async_connect(
        socket, endpoints,
        [done = std::move(done)](error_code ec, const Tcp::endpoint&) { done(ec); });
  }

  TcpTransportConfig cfg_;
  std::uint16_t port_;
  Tcp::resolver resolver_;
};

}  // namespace

TcpClient::TcpClient(Executor executor, TcpTransportConfig cfg, std::uint16_t default_port)
    : Link(make_link_core<TcpPolicy>(executor, Backoff(cfg.backoff_min, cfg.backoff_max),
                                     std::move(cfg), default_port)) {}

}  // namespace roomd
