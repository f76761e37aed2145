#include "transports/udp_client.hpp"

#include "transports/host_port.hpp"
#include "transports/link_core.hpp"
#include "transports/stream_policy.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/udp.hpp>

#include <utility>

namespace roomd {

namespace {

using Udp = asio::ip::udp;

// Resolves the host unless it is an address, then opens, binds and connects the socket,
// which for UDP does not wait. Reads and writes are whole datagrams, not a stream.
class UdpPolicy : public StreamPolicy {
 public:
  using Channel = Udp::socket;
  // The largest UDP payload over IPv4; a smaller buffer would truncate datagrams silently.
  static constexpr std::size_t kReadBufferSize = 65536;
  static constexpr bool kEmptyWritesMatter = true;

  UdpPolicy(const Executor& executor, UdpTransportConfig cfg, std::uint16_t default_port)
      : cfg_(std::move(cfg)),
        port_(cfg_.port != 0 ? cfg_.port : default_port),
        resolver_(executor) {}

  template <class Done>
  void open(Channel& socket, Done done) {
    error_code ec;
    const auto address = asio::ip::make_address(cfg_.host, ec);
    if (!ec) {
      done(connect(socket, Udp::endpoint(address, port_)));
      return;
    }
    resolver_.async_resolve(cfg_.host, std::to_string(port_), Udp::resolver::numeric_service,
                            [this, &socket, done = std::move(done)](
                                error_code ec, Udp::resolver::results_type endpoints) {
                              if (!ec && endpoints.empty()) ec = asio::error::host_not_found;
                              if (!ec && done.cancelled()) ec = asio::error::operation_aborted;
                              done(ec ? ec : connect(socket, endpoints.begin()->endpoint()));
                            });
  }

  void cancel_open() { resolver_.cancel(); }

  // Errors that concern one datagram, not the socket: a refused datagram is the ICMP answer
  // to an earlier send (the device is not listening yet), an oversized one is the caller's.
  bool ignorable(const error_code& ec) const {
    return ec == asio::error::connection_refused || ec == asio::error::message_size;
  }

  template <class Handler>
  void read(Channel& socket, asio::mutable_buffer buffer, Handler&& handler) {
    socket.async_receive(buffer, std::forward<Handler>(handler));
  }
  template <class Handler>
  void write(Channel& socket, asio::const_buffer buffer, Handler&& handler) {
    socket.async_send(buffer, std::forward<Handler>(handler));
  }

  std::string describe() const { return "udp " + host_port(cfg_.host, port_); }

 private:
  error_code connect(Channel& socket, const Udp::endpoint& endpoint) const {
    error_code ec;
    socket.open(endpoint.protocol(), ec);
    if (!ec && cfg_.local_port != 0) {
      socket.bind(Udp::endpoint(endpoint.protocol(), cfg_.local_port), ec);
    }
    // Connecting filters out datagrams from anyone but the device and lets the kernel report
    // ICMP errors.
    if (!ec) socket.connect(endpoint, ec);
    return ec;
  }

  UdpTransportConfig cfg_;
  std::uint16_t port_;
  Udp::resolver resolver_;
};

}  // namespace

UdpClient::UdpClient(Executor executor, UdpTransportConfig cfg, std::uint16_t default_port,
                     Backoff backoff)
    : Link(make_link_core<UdpPolicy>(std::move(executor), std::move(backoff), std::move(cfg),
                                     default_port)) {}

}  // namespace roomd
