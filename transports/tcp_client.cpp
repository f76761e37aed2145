#include "transports/tcp_client.hpp"

#include "transports/backoff.hpp"
#include "transports/host_port.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <deque>
#include <utility>

namespace roomd {

namespace {

using Tcp = asio::ip::tcp;

constexpr std::size_t kReadBufferSize = 8192;

// Device control links are idle most of the time; without this a projector that lost power
// looks connected until the next command times out. 30 s idle + 3 probes 10 s apart.
constexpr int kKeepaliveIdleSeconds = 30;
constexpr int kKeepaliveIntervalSeconds = 10;
constexpr int kKeepaliveProbes = 3;

void set_int_option(Tcp::socket& socket, int level, int name, int value) {
  // Best effort: a missing option only delays noticing a dead peer.
  (void)::setsockopt(socket.native_handle(), level, name, &value, sizeof value);
}

}  // namespace

class TcpClient::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(Executor executor, TcpTransportConfig cfg, std::uint16_t default_port)
      : executor_(std::move(executor)),
        cfg_(std::move(cfg)),
        port_(cfg_.port != 0 ? cfg_.port : default_port),
        resolver_(executor_),
        connect_timer_(executor_),
        retry_timer_(executor_),
        backoff_(cfg_.backoff_min, cfg_.backoff_max) {}

  void start(Handlers handlers) {
    if (state_ != State::idle) return;
    handlers_ = std::make_shared<const Handlers>(std::move(handlers));
    begin_connect();
  }

  void stop() {
    abandon();
    state_ = State::idle;
    // A handler running right now holds its own reference (see notify_*), so this is safe
    // from inside one; dropping ours breaks cycles through captures that own the client.
    handlers_.reset();
  }

  bool write(std::string bytes) {
    if (state_ != State::connected) return false;
    if (bytes.empty()) return true;
    link_->queue.push_back(std::move(bytes));
    if (!link_->writing) write_next(link_);
    return true;
  }

  void reconnect() {
    // Waiting already means "reconnect after the backoff".
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

  std::string describe() const { return "tcp " + host_port(cfg_.host, port_); }

 private:
  enum class State { idle, connecting, connected, waiting };

  // One connection attempt and, when it succeeds, the connection. Pending operations hold it
  // by shared_ptr, so the socket, the read buffer and the queued bytes they point into stay
  // alive until they complete even after the client moved on to a new attempt.
  struct Link {
    explicit Link(const Executor& executor) : socket(executor) {}
    Tcp::socket socket;
    std::deque<std::string> queue;
    bool writing = false;
    std::array<char, kReadBufferSize> buffer{};
  };

  // Every completion checks `gen` against gen_: any stop(), reconnect() or failure bumps it,
  // so an operation that belongs to an abandoned attempt never acts or calls a handler.
  void begin_connect() {
    ++gen_;
    state_ = State::connecting;
    timed_out_ = false;
    link_ = std::make_shared<Link>(executor_);

    connect_timer_.expires_after(cfg_.connect_timeout);
    connect_timer_.async_wait([self = shared_from_this(), gen = gen_](error_code ec) {
      if (ec || gen != self->gen_) return;
      // Cancelling makes the resolve or connect complete with an error, reported as timed_out.
      self->timed_out_ = true;
      self->resolver_.cancel();
      error_code ignored;
      self->link_->socket.close(ignored);
    });

    error_code ec;
    const auto address = asio::ip::make_address(cfg_.host, ec);
    if (!ec) {
      connect(std::array<Tcp::endpoint, 1>{Tcp::endpoint(address, port_)});
      return;
    }
    resolver_.async_resolve(
        cfg_.host, std::to_string(port_), Tcp::resolver::numeric_service,
        [self = shared_from_this(), gen = gen_](error_code ec, Tcp::resolver::results_type r) {
          if (gen != self->gen_) return;
          if (ec || self->timed_out_) {
            self->fail(self->timed_out_ ? asio::error::timed_out : ec);
            return;
          }
          self->connect(r);
        });
  }

  template <class Endpoints>
  void connect(const Endpoints& endpoints) {
    asio::async_connect(
        link_->socket, endpoints,
        [self = shared_from_this(), gen = gen_, link = link_](error_code ec, const Tcp::endpoint&) {
          if (gen != self->gen_) return;
          self->on_connected(ec);
        });
  }

  void on_connected(error_code ec) {
    connect_timer_.cancel();
    // The timer may have closed the socket just as the connect succeeded.
    if (timed_out_) ec = asio::error::timed_out;
    if (ec) {
      fail(ec);
      return;
    }
    configure(link_->socket);
    state_ = State::connected;
    backoff_.reset();
    read(link_);
    notify_connect();
  }

  void configure(Tcp::socket& socket) {
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

  void read(const std::shared_ptr<Link>& link) {
    link->socket.async_read_some(asio::buffer(link->buffer), [self = shared_from_this(), gen = gen_,
                                                              link](error_code ec, std::size_t n) {
      if (gen != self->gen_) return;
      if (ec) {
        self->fail(ec);
        return;
      }
      self->notify_bytes(std::string_view(link->buffer.data(), n));
      // The handler may have stopped, reconnected or destroyed the client.
      if (gen == self->gen_) self->read(link);
    });
  }

  void write_next(const std::shared_ptr<Link>& link) {
    link->writing = true;
    asio::async_write(link->socket, asio::buffer(link->queue.front()),
                      [self = shared_from_this(), gen = gen_, link](error_code ec, std::size_t) {
                        if (gen != self->gen_) return;
                        if (ec) {
                          self->fail(ec);
                          return;
                        }
                        link->queue.pop_front();
                        if (link->queue.empty()) {
                          link->writing = false;
                        } else {
                          self->write_next(link);
                        }
                      });
  }

  // Cancels everything in flight for the current attempt; their completions see a new gen_.
  void abandon() {
    ++gen_;
    connect_timer_.cancel();
    retry_timer_.cancel();
    resolver_.cancel();
    if (link_) {
      error_code ignored;
      link_->socket.close(ignored);
      link_.reset();
    }
  }

  // A connect attempt failed or the link broke: tell the module why, then retry.
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
      self->begin_connect();
    });
  }

  // Each holds its own reference to the handlers while one runs: the handler may call
  // stop() or start(), which replace handlers_, without destroying the function executing.
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
  TcpTransportConfig cfg_;
  std::uint16_t port_;
  Tcp::resolver resolver_;
  asio::steady_timer connect_timer_;
  asio::steady_timer retry_timer_;
  Backoff backoff_;
  std::shared_ptr<const Handlers> handlers_;
  std::shared_ptr<Link> link_;
  State state_ = State::idle;
  std::uint64_t gen_ = 0;
  bool timed_out_ = false;
};

TcpClient::TcpClient(Executor executor, TcpTransportConfig cfg, std::uint16_t default_port)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(cfg), default_port)) {}

TcpClient::~TcpClient() {
  impl_->stop();
}

void TcpClient::start(Handlers handlers) {
  impl_->start(std::move(handlers));
}
void TcpClient::stop() {
  impl_->stop();
}
bool TcpClient::write(std::string bytes) {
  return impl_->write(std::move(bytes));
}
void TcpClient::reconnect() {
  impl_->reconnect();
}
bool TcpClient::is_connected() const {
  return impl_->is_connected();
}
std::string TcpClient::describe() const {
  return impl_->describe();
}

}  // namespace roomd
