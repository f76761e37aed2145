#include "drivers/sim/stream_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <deque>
#include <filesystem>
#include <set>
#include <system_error>

namespace roomd::sim {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::size_t kReadChunk = 1024;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), std::string("simulator pty: ") + what);
}

// Shared by both kinds of line: a write queue with one write in flight and a read loop that
// hands bytes to the protocol handler. `Stream` is a socket or a stream_descriptor.
template <class Stream>
class Line : public Connection, public std::enable_shared_from_this<Line<Stream>> {
 public:
  Line(Stream stream, std::unique_ptr<Handler> handler, bool pty,
       std::function<void(Line*)> on_gone)
      : stream_(std::move(stream)),
        handler_(std::move(handler)),
        pty_(pty),
        on_gone_(std::move(on_gone)) {}

  void start() {
    auto keep_alive = this->shared_from_this();  // on_open may close the line
    handler_->on_open(*this);
    read();
  }

  void send(std::string bytes) override {
    if (closed_) return;
    out_.push_back(std::move(bytes));
    if (out_.size() == 1) write_next();
  }

  void close() override {
    if (pty_) {
      discard_ = true;  // until the next read completes: what was in flight is dropped
      return;
    }
    shutdown();
  }

  bool is_pty() const override { return pty_; }

  void shutdown() {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    stream_.close(ignored);
    out_.clear();
    handler_->on_close();
    if (on_gone_) on_gone_(this);
  }

 private:
  void read() {
    auto self = this->shared_from_this();
    stream_.async_read_some(asio::buffer(buffer_), [self](error_code ec, std::size_t n) {
      if (self->closed_) return;
      if (ec) {
        self->shutdown();
        return;
      }
      if (self->discard_) {
        self->discard_ = false;
      } else {
        self->handler_->on_bytes(*self, std::string_view(self->buffer_.data(), n));
      }
      if (!self->closed_) self->read();
    });
  }

  void write_next() {
    auto self = this->shared_from_this();
    asio::async_write(stream_, asio::buffer(out_.front()), [self](error_code ec, std::size_t) {
      if (self->closed_) return;
      if (ec) {
        self->shutdown();
        return;
      }
      self->out_.pop_front();
      if (!self->out_.empty()) self->write_next();
    });
  }

  Stream stream_;
  std::unique_ptr<Handler> handler_;
  bool pty_;
  std::function<void(Line*)> on_gone_;
  std::array<char, kReadChunk> buffer_{};
  std::deque<std::string> out_;
  bool closed_ = false;
  bool discard_ = false;
};

using TcpLine = Line<tcp::socket>;
using PtyLine = Line<asio::posix::stream_descriptor>;

}  // namespace

struct StreamServer::Core : std::enable_shared_from_this<Core> {
  Core(asio::any_io_executor ex, MakeHandler make)
      : executor(ex), make_handler(std::move(make)), acceptor(ex) {}

  void accept(std::uint64_t gen) {
    auto self = shared_from_this();
    acceptor.async_accept([self, gen](error_code ec, tcp::socket socket) {
      if (gen != self->generation || !self->acceptor.is_open()) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::weak_ptr<Core> weak = self;
        auto line = std::make_shared<TcpLine>(std::move(socket), self->make_handler(), false,
                                              [weak](auto* gone) {
                                                if (auto core = weak.lock()) core->forget(gone);
                                              });
        self->tcp_lines.insert(line);
        line->start();
      }
      self->accept(gen);
    });
  }

  void forget(const void* gone) {
    for (auto it = tcp_lines.begin(); it != tcp_lines.end(); ++it) {
      if (it->get() == gone) {
        tcp_lines.erase(it);
        return;
      }
    }
  }

  void close_pty() {
    if (!pty) return;
    auto line = std::move(pty);
    line->shutdown();
    if (slave_fd >= 0) ::close(slave_fd);
    slave_fd = -1;
    if (!link.empty()) {
      std::error_code ignored;
      std::filesystem::remove(link, ignored);
      link.clear();
    }
    pty_path.clear();
  }

  asio::any_io_executor executor;
  MakeHandler make_handler;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::uint64_t generation = 0;
  std::set<std::shared_ptr<TcpLine>> tcp_lines;
  std::shared_ptr<PtyLine> pty;
  int slave_fd = -1;  // kept open so the master never reads EIO when a driver closes the port
  std::string pty_path;
  std::string link;
};

StreamServer::StreamServer(asio::any_io_executor ex, MakeHandler make_handler)
    : core_(std::make_shared<Core>(std::move(ex), std::move(make_handler))) {}

StreamServer::~StreamServer() {
  stop();
}

std::uint16_t StreamServer::listen_tcp(const std::string& bind, std::uint16_t port) {
  stop_tcp();
  if (port == 0) port = core_->port;
  tcp::endpoint endpoint(asio::ip::make_address(bind), port);
  auto& acceptor = core_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen();
  core_->port = acceptor.local_endpoint().port();
  core_->accept(++core_->generation);
  return core_->port;
}

void StreamServer::stop_tcp() {
  ++core_->generation;
  error_code ignored;
  core_->acceptor.close(ignored);
  drop_clients();
}

std::uint16_t StreamServer::port() const {
  return core_->port;
}

std::string StreamServer::open_pty(const std::string& link) {
  close_pty();
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) throw_errno("posix_openpt");
  std::array<char, 128> name{};
  if (::grantpt(master) != 0 || ::unlockpt(master) != 0 ||
      ::ptsname_r(master, name.data(), name.size()) != 0) {
    ::close(master);
    throw_errno("grantpt/unlockpt/ptsname");
  }
  int slave = ::open(name.data(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) {
    ::close(master);
    throw_errno("open slave");
  }
  // Raw at once: the line discipline must not echo or translate bytes sent before the driver
  // configures the port.
  termios tio{};
  ::tcgetattr(slave, &tio);
  ::cfmakeraw(&tio);
  ::tcsetattr(slave, TCSANOW, &tio);
  core_->slave_fd = slave;
  core_->pty_path = name.data();
  if (!link.empty()) {
    std::error_code ignored;
    std::filesystem::remove(link, ignored);
    std::filesystem::create_symlink(core_->pty_path, link);
    core_->link = link;
  }
  core_->pty = std::make_shared<PtyLine>(asio::posix::stream_descriptor(core_->executor, master),
                                         core_->make_handler(), true, nullptr);
  core_->pty->start();
  return core_->pty_path;
}

void StreamServer::close_pty() {
  core_->close_pty();
}

const std::string& StreamServer::pty_path() const {
  return core_->pty_path;
}

void StreamServer::broadcast(const std::string& bytes) {
  auto lines = core_->tcp_lines;  // a handler may close a line while we iterate
  for (auto& line : lines) line->send(bytes);
  if (core_->pty) core_->pty->send(bytes);
}

void StreamServer::drop_clients() {
  auto lines = std::move(core_->tcp_lines);
  core_->tcp_lines.clear();
  for (auto& line : lines) line->shutdown();
}

std::size_t StreamServer::connections() const {
  return core_->tcp_lines.size() + (core_->pty ? 1 : 0);
}

void StreamServer::stop() {
  stop_tcp();
  close_pty();
}

}  // namespace roomd::sim
