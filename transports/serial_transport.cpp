#include "transports/serial_transport.hpp"

#include "transports/backoff.hpp"
#include "transports/serial_line.hpp"
#include "transports/serial_port_resolver.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <deque>
#include <utility>

namespace roomd {

namespace {

constexpr std::size_t kReadBufferSize = 4096;

}  // namespace

class SerialTransport::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(Executor executor, SerialTransportConfig cfg, std::shared_ptr<const PortCatalog> catalog)
      : executor_(std::move(executor)),
        cfg_(std::move(cfg)),
        catalog_(catalog ? std::move(catalog) : std::make_shared<SystemPortCatalog>()),
        retry_timer_(executor_),
        backoff_(cfg_.backoff_min, cfg_.backoff_max) {}

  void start(Handlers handlers) {
    if (state_ != State::idle) return;
    handlers_ = std::make_shared<const Handlers>(std::move(handlers));
    state_ = State::opening;
    // Posted, so that on_connect or on_disconnect never runs inside start().
    asio::post(executor_, [self = shared_from_this(), gen = ++gen_] {
      if (gen == self->gen_) self->open();
    });
  }

  void stop() {
    abandon();
    state_ = State::idle;
    // A handler running right now holds its own reference (see notify_*), so this is safe
    // from inside one; dropping ours breaks cycles through captures that own the transport.
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

  std::string describe() const {
    return "serial " + (path_.empty() ? cfg_.port.describe() : path_);
  }

  std::string last_error() const { return last_error_; }

 private:
  enum class State { idle, opening, connected, waiting };

  // The open port. Pending operations hold it by shared_ptr, so the descriptor, the read
  // buffer and the queued bytes they point into outlive the transport moving on.
  struct Link {
    explicit Link(const Executor& executor) : descriptor(executor) {}
    asio::posix::stream_descriptor descriptor;
    std::deque<std::string> queue;
    bool writing = false;
    std::array<char, kReadBufferSize> buffer{};
  };

  // Every completion checks `gen` against gen_: stop(), reconnect() and failures bump it, so
  // an operation of an abandoned link never acts or calls a handler.
  void open() {
    // Resolved again every time: a by-id link or a USB identity may now lead elsewhere.
    ResolvedPort resolved = resolve_serial_port(cfg_.port, *catalog_);
    if (!resolved.ok()) {
      path_.clear();
      last_error_ = resolved.message;
      fail(resolved.error);
      return;
    }
    path_ = std::move(resolved.path);
    SerialLine line = SerialLine::open(path_, cfg_.line);
    if (!line.is_open()) {
      last_error_ = line.message();
      fail(line.error());
      return;
    }
    auto link = std::make_shared<Link>(executor_);
    error_code ec;
    link->descriptor.assign(line.fd(), ec);
    if (ec) {
      // Not taken over: `line` still closes it.
      last_error_ = "cannot watch serial port " + path_ + ": " + ec.message();
      fail(ec);
      return;
    }
    line.release();
    link_ = std::move(link);
    last_error_.clear();
    state_ = State::connected;
    backoff_.reset();
    read(link_);
    notify_connect();
  }

  void read(const std::shared_ptr<Link>& link) {
    link->descriptor.async_read_some(
        asio::buffer(link->buffer),
        [self = shared_from_this(), gen = gen_, link](error_code ec, std::size_t n) {
          if (gen != self->gen_) return;
          // EIO (an unplugged adapter, a pty whose other side closed), EOF (a hang-up),
          // ENODEV, EBADF: the port is gone either way, so all end the link.
          if (ec) {
            self->lost(ec);
            return;
          }
          self->notify_bytes(std::string_view(link->buffer.data(), n));
          // The handler may have stopped, reconnected or destroyed the transport.
          if (gen == self->gen_) self->read(link);
        });
  }

  void write_next(const std::shared_ptr<Link>& link) {
    link->writing = true;
    asio::async_write(link->descriptor, asio::buffer(link->queue.front()),
                      [self = shared_from_this(), gen = gen_, link](error_code ec, std::size_t) {
                        if (gen != self->gen_) return;
                        if (ec) {
                          self->lost(ec);
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

  void lost(const error_code& ec) {
    last_error_ = "serial port " + path_ + " went away: " + ec.message();
    fail(ec);
  }

  // Closes the port (its pending operations complete with operation_aborted and a stale gen)
  // and cancels a pending retry.
  void abandon() {
    ++gen_;
    retry_timer_.cancel();
    if (link_) {
      error_code ignored;
      link_->descriptor.close(ignored);
      link_.reset();
    }
  }

  // An open failed or the port went away: tell the module why, then retry.
  void fail(const error_code& ec) {
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
      ++self->gen_;
      self->state_ = State::opening;
      self->open();
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
  SerialTransportConfig cfg_;
  std::shared_ptr<const PortCatalog> catalog_;
  asio::steady_timer retry_timer_;
  Backoff backoff_;
  std::shared_ptr<const Handlers> handlers_;
  std::shared_ptr<Link> link_;
  std::string path_;  // the device last resolved, for describe()
  std::string last_error_;
  State state_ = State::idle;
  std::uint64_t gen_ = 0;
};

SerialTransport::SerialTransport(Executor executor, SerialTransportConfig config,
                                 std::shared_ptr<const PortCatalog> catalog)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config), std::move(catalog))) {}

SerialTransport::~SerialTransport() {
  impl_->stop();
}

void SerialTransport::start(Handlers handlers) {
  impl_->start(std::move(handlers));
}
void SerialTransport::stop() {
  impl_->stop();
}
bool SerialTransport::write(std::string bytes) {
  return impl_->write(std::move(bytes));
}
void SerialTransport::reconnect() {
  impl_->reconnect();
}
bool SerialTransport::is_connected() const {
  return impl_->is_connected();
}
std::string SerialTransport::describe() const {
  return impl_->describe();
}
std::string SerialTransport::last_error() const {
  return impl_->last_error();
}

}  // namespace roomd
