#include "transports/udp_client.hpp"

#include "transports/host_port.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <deque>
#include <utility>

namespace roomd {

namespace {

using Udp = asio::ip::udp;

// The largest UDP payload over IPv4; a smaller buffer would truncate datagrams silently.
constexpr std::size_t kDatagramBufferSize = 65536;

// Errors that concern one datagram, not the socket: a refused datagram is the ICMP answer to
// an earlier send (the device is not listening yet), an oversized one is the caller's.
bool datagram_error(const error_code& ec) {
  return ec == asio::error::connection_refused || ec == asio::error::message_size;
}

}  // namespace

class UdpClient::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(Executor executor, UdpTransportConfig cfg, std::uint16_t default_port, Backoff backoff)
      : executor_(std::move(executor)),
        cfg_(std::move(cfg)),
        port_(cfg_.port != 0 ? cfg_.port : default_port),
        resolver_(executor_),
        retry_timer_(executor_),
        backoff_(std::move(backoff)) {}

  void start(Handlers handlers) {
    if (state_ != State::idle) return;
    handlers_ = std::make_shared<const Handlers>(std::move(handlers));
    begin_open();
  }

  void stop() {
    abandon();
    state_ = State::idle;
    // Safe from inside a handler: the running one holds its own reference (see notify_*).
    handlers_.reset();
  }

  bool write(std::string bytes) {
    if (state_ != State::connected) return false;
    link_->queue.push_back(std::move(bytes));
    if (!link_->sending) send_next(link_);
    return true;
  }

  void reconnect() {
    if (state_ == State::idle || state_ == State::waiting) return;
    abandon();
    state_ = State::waiting;
    // Posted, not called: the driver asking for a reconnect must not be re-entered.
    asio::post(executor_, [self = shared_from_this(), gen = gen_] {
      if (gen != self->gen_) return;
      self->notify_disconnect(asio::error::operation_aborted);
      if (gen == self->gen_) self->schedule_retry();
    });
  }

  bool is_connected() const { return state_ == State::connected; }

  std::string describe() const { return "udp " + host_port(cfg_.host, port_); }

 private:
  enum class State { idle, connecting, connected, waiting };

  // The socket with its buffers; pending operations hold it so the memory they use outlives
  // an abandoned socket until they complete.
  struct Link {
    explicit Link(const Executor& executor) : socket(executor) {}
    Udp::socket socket;
    std::deque<std::string> queue;
    bool sending = false;
    std::array<char, kDatagramBufferSize> buffer{};
  };

  // As in TcpClient, every completion compares its `gen` with gen_ and does nothing when the
  // attempt it belongs to was abandoned.
  void begin_open() {
    ++gen_;
    state_ = State::connecting;
    link_ = std::make_shared<Link>(executor_);

    error_code ec;
    const auto address = asio::ip::make_address(cfg_.host, ec);
    if (!ec) {
      // Posted so that on_connect never runs inside start().
      asio::post(executor_,
                 [self = shared_from_this(), gen = gen_, endpoint = Udp::endpoint(address, port_)] {
                   if (gen == self->gen_) self->open(endpoint);
                 });
      return;
    }
    resolver_.async_resolve(
        cfg_.host, std::to_string(port_), Udp::resolver::numeric_service,
        [self = shared_from_this(), gen = gen_](error_code ec, Udp::resolver::results_type r) {
          if (gen != self->gen_) return;
          if (!ec && r.empty()) ec = asio::error::host_not_found;
          if (ec) {
            self->fail(ec);
            return;
          }
          self->open(r.begin()->endpoint());
        });
  }

  void open(const Udp::endpoint& endpoint) {
    auto& socket = link_->socket;
    error_code ec;
    socket.open(endpoint.protocol(), ec);
    if (!ec && cfg_.local_port != 0) {
      socket.bind(Udp::endpoint(endpoint.protocol(), cfg_.local_port), ec);
    }
    // Connecting filters out datagrams from anyone but the device and lets the kernel report
    // ICMP errors; for UDP it does not block.
    if (!ec) socket.connect(endpoint, ec);
    if (ec) {
      fail(ec);
      return;
    }
    state_ = State::connected;
    backoff_.reset();
    receive(link_);
    notify_connect();
  }

  void receive(const std::shared_ptr<Link>& link) {
    link->socket.async_receive(asio::buffer(link->buffer), [self = shared_from_this(), gen = gen_,
                                                            link](error_code ec, std::size_t n) {
      if (gen != self->gen_) return;
      if (ec && !datagram_error(ec)) {
        self->fail(ec);
        return;
      }
      if (!ec) self->notify_bytes(std::string_view(link->buffer.data(), n));
      // The handler may have stopped, reconnected or destroyed the client.
      if (gen == self->gen_) self->receive(link);
    });
  }

  void send_next(const std::shared_ptr<Link>& link) {
    link->sending = true;
    link->socket.async_send(
        asio::buffer(link->queue.front()),
        [self = shared_from_this(), gen = gen_, link](error_code ec, std::size_t) {
          if (gen != self->gen_) return;
          if (ec && !datagram_error(ec)) {
            self->fail(ec);
            return;
          }
          link->queue.pop_front();
          if (link->queue.empty()) {
            link->sending = false;
          } else {
            self->send_next(link);
          }
        });
  }

  void abandon() {
    ++gen_;
    retry_timer_.cancel();
    resolver_.cancel();
    if (link_) {
      error_code ignored;
      link_->socket.close(ignored);
      link_.reset();
    }
  }

  void fail(error_code ec) {
    abandon();
    state_ = State::waiting;
    const auto gen = gen_;
    notify_disconnect(ec);
    if (gen == gen_) schedule_retry();
  }

  void schedule_retry() {
    state_ = State::waiting;
    retry_timer_.expires_after(backoff_.next_delay());
    retry_timer_.async_wait([self = shared_from_this(), gen = gen_](error_code ec) {
      if (ec || gen != self->gen_) return;
      self->begin_open();
    });
  }

  void notify_connect() {
    if (auto h = handlers_; h && h->on_connect) h->on_connect();
  }
  void notify_disconnect(const error_code& ec) {
    if (auto h = handlers_; h && h->on_disconnect) h->on_disconnect(ec);
  }
  void notify_bytes(std::string_view bytes) {
    if (auto h = handlers_; h && h->on_bytes) h->on_bytes(bytes);
  }

  Executor executor_;
  UdpTransportConfig cfg_;
  std::uint16_t port_;
  Udp::resolver resolver_;
  asio::steady_timer retry_timer_;
  Backoff backoff_;
  std::shared_ptr<const Handlers> handlers_;
  std::shared_ptr<Link> link_;
  State state_ = State::idle;
  std::uint64_t gen_ = 0;
};

UdpClient::UdpClient(Executor executor, UdpTransportConfig cfg, std::uint16_t default_port,
                     Backoff backoff)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(cfg), default_port,
                                   std::move(backoff))) {}

UdpClient::~UdpClient() {
  impl_->stop();
}

void UdpClient::start(Handlers handlers) {
  impl_->start(std::move(handlers));
}
void UdpClient::stop() {
  impl_->stop();
}
bool UdpClient::write(std::string bytes) {
  return impl_->write(std::move(bytes));
}
void UdpClient::reconnect() {
  impl_->reconnect();
}
bool UdpClient::is_connected() const {
  return impl_->is_connected();
}
std::string UdpClient::describe() const {
  return impl_->describe();
}

}  // namespace roomd
