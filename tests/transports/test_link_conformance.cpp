// What every reconnecting link (TCP, UDP, serial) promises, checked against each kind with
// the same tests: each kind's Device plays the other end and knows how to drop the link.

#include "tests/support/wait.hpp"
#include "tests/transports/pty_port.hpp"
#include "transports/serial_transport.hpp"
#include "transports/tcp_client.hpp"
#include "transports/udp_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using roomd::Backoff;
using roomd::Duration;
using roomd::Transport;
using roomd::test::run_until;
namespace asio = boost::asio;
using boost::system::error_code;
using Tcp = asio::ip::tcp;
using Udp = asio::ip::udp;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

constexpr auto kWait = 5s;
const auto kLoopback = asio::ip::make_address("127.0.0.1");

// Short, so that 200 reconnects take well under a second of waiting.
constexpr Duration kBackoffMin{1};
constexpr Duration kBackoffMax{4};

// A device on loopback: accepts every connection, records what it reads, answers on the
// latest one. Dropping closes that connection, as a device that reboots does.
class TcpDevice {
 public:
  static constexpr const char* kKind = "tcp";

  explicit TcpDevice(asio::io_context& io) : io_(io), acceptor_(io, Tcp::endpoint(kLoopback, 0)) {
    accept();
  }

  std::unique_ptr<Transport> transport(Duration min, Duration max) const {
    return make(acceptor_.local_endpoint().port(), min, max);
  }
  // Nobody listens on the port: every connect is refused.
  std::unique_ptr<Transport> unreachable(Duration backoff) {
    Tcp::acceptor probe(io_, Tcp::endpoint(kLoopback, 0));
    return make(probe.local_endpoint().port(), backoff, backoff);
  }

  bool ready() const { return peer_ != nullptr; }
  // The connection the transport made has been accepted, so there is one to drop.
  bool linked() const { return peer_ != nullptr; }
  void send(const std::string& bytes) {
    auto data = std::make_shared<std::string>(bytes);
    asio::async_write(*peer_, asio::buffer(*data), [data](error_code, std::size_t) {});
  }
  const std::string& received() const { return received_; }
  void drop(Transport&) {
    error_code ignored;
    peer_->shutdown(Tcp::socket::shutdown_both, ignored);
    peer_->close(ignored);
    peer_.reset();
  }

 private:
  void accept() {
    acceptor_.async_accept([this](error_code ec, Tcp::socket socket) {
      if (ec) return;
      peer_ = std::make_shared<Tcp::socket>(std::move(socket));
      read(peer_);
      accept();
    });
  }
  void read(const std::shared_ptr<Tcp::socket>& socket) {
    socket->async_read_some(asio::buffer(buffer_), [this, socket](error_code ec, std::size_t n) {
      if (ec) return;
      received_.append(buffer_.data(), n);
      read(socket);
    });
  }

  std::unique_ptr<Transport> make(std::uint16_t port, Duration min, Duration max) const {
    roomd::TcpTransportConfig cfg;
    cfg.host = "127.0.0.1";
    cfg.port = port;
    cfg.backoff_min = min;
    cfg.backoff_max = max;
    return std::make_unique<roomd::TcpClient>(io_.get_executor(), cfg, 0);
  }

  asio::io_context& io_;
  Tcp::acceptor acceptor_;
  std::shared_ptr<Tcp::socket> peer_;
  std::array<char, 4096> buffer_{};
  std::string received_;
};

// A datagram device: answers whoever sent to it last. UDP has no link for the device to end,
// so dropping is the transport's own reconnect(), which opens a new socket on a new port.
class UdpDevice {
 public:
  static constexpr const char* kKind = "udp";

  explicit UdpDevice(asio::io_context& io) : io_(io), socket_(io, Udp::endpoint(kLoopback, 0)) {
    receive();
  }

  std::unique_ptr<Transport> transport(Duration min, Duration max) const {
    return make(0, min, max);
  }
  // The local port is taken (by this device): every open fails to bind.
  std::unique_ptr<Transport> unreachable(Duration backoff) const {
    return make(socket_.local_endpoint().port(), backoff, backoff);
  }

  // Only once the transport has sent does the device know where to answer.
  bool ready() const { return sender_.port() != 0; }
  bool linked() const { return true; }
  void send(const std::string& bytes) { socket_.send_to(asio::buffer(bytes), sender_); }
  const std::string& received() const { return received_; }
  void drop(Transport& transport) {
    sender_ = {};
    transport.reconnect();
  }

 private:
  void receive() {
    socket_.async_receive_from(asio::buffer(buffer_), from_, [this](error_code ec, std::size_t n) {
      if (ec) return;
      sender_ = from_;
      received_.append(buffer_.data(), n);
      receive();
    });
  }

  // To this device, from `local_port` (0: any).
  std::unique_ptr<Transport> make(std::uint16_t local_port, Duration min, Duration max) const {
    roomd::UdpTransportConfig cfg;
    cfg.host = "127.0.0.1";
    cfg.port = socket_.local_endpoint().port();
    cfg.local_port = local_port;
    return std::make_unique<roomd::UdpClient>(io_.get_executor(), cfg, 0, Backoff(min, max));
  }

  asio::io_context& io_;
  Udp::socket socket_;
  Udp::endpoint from_;
  Udp::endpoint sender_;
  std::array<char, 65536> buffer_{};
  std::string received_;
};

// A serial adapter behind a by-id style link: dropping unplugs it (the transport's read
// fails with EIO) and plugs a new one in under the same link, as a re-enumerated USB adapter.
class SerialDevice {
 public:
  static constexpr const char* kKind = "serial";

  explicit SerialDevice(asio::io_context& io)
      : io_(io), pty_(std::make_unique<roomd::test::Pty>()), link_(pty_->slave_path) {}

  std::unique_ptr<Transport> transport(Duration min, Duration max) const {
    return make(link_.path, min, max);
  }
  // The configured port does not exist: every open fails.
  std::unique_ptr<Transport> unreachable(Duration backoff) const {
    return make(link_.path + "-missing", backoff, backoff);
  }

  bool ready() const { return true; }
  bool linked() const { return true; }
  void send(const std::string& bytes) const { pty_->send(bytes); }
  const std::string& received() {
    // Kept across adapters, like the other devices' transcripts.
    received_ += pty_->received();
    pty_->got.clear();
    return received_;
  }
  void drop(Transport&) {
    received();
    pty_->unplug();
    pty_ = std::make_unique<roomd::test::Pty>();
    link_.point_to(pty_->slave_path);
  }

 private:
  std::unique_ptr<Transport> make(const std::string& path, Duration min, Duration max) const {
    roomd::SerialTransportConfig cfg;
    cfg.port.path = path;
    cfg.line.baud = 115200;
    cfg.backoff_min = min;
    cfg.backoff_max = max;
    return std::make_unique<roomd::SerialTransport>(io_.get_executor(), cfg);
  }

  asio::io_context& io_;
  std::unique_ptr<roomd::test::Pty> pty_;
  roomd::test::PortLink link_;
  std::string received_;
};

// What the transport reported: connects, when each down was reported, the bytes received.
struct Log {
  Transport::Handlers handlers() {
    return {
        .on_connect = [this] { ++connects; },
        .on_disconnect =
            [this](const error_code&) { downs.push_back(std::chrono::steady_clock::now()); },
        .on_bytes = [this](std::string_view b) { bytes.append(b); },
    };
  }
  int calls() const { return connects + static_cast<int>(downs.size() + bytes.size()); }

  int connects = 0;
  std::vector<SteadyTime> downs;
  std::string bytes;
};

std::size_t open_fds() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

// Lets the device and the transport exchange "<tag>1".."<tag>5" each way, and checks both
// ends saw every piece, whole and in order.
template <class Device>
void exchange(asio::io_context& io, Device& device, Transport& transport, Log& log,
              const std::string& tag) {
  const std::string to_device = device.received() + tag + "1" + tag + "2" + tag + "3";
  for (const char* n : {"1", "2", "3"}) REQUIRE(transport.write(tag + n));
  REQUIRE(run_until(
      io, [&] { return device.received().size() >= to_device.size(); }, kWait));
  CHECK(device.received() == to_device);
  REQUIRE(run_until(
      io, [&] { return device.ready(); }, kWait));
  const std::string to_transport = log.bytes + tag + "a" + tag + "b" + tag + "c";
  for (const char* n : {"a", "b", "c"}) device.send(tag + n);
  REQUIRE(run_until(
      io, [&] { return log.bytes.size() >= to_transport.size(); }, kWait));
  CHECK(log.bytes == to_transport);
}

}  // namespace

TEMPLATE_TEST_CASE("link: bytes arrive whole and in order both ways", "[link]", TcpDevice,
                   UdpDevice, SerialDevice) {
  asio::io_context io;
  TestType device(io);
  Log log;
  auto transport = device.transport(kBackoffMin, kBackoffMax);
  CHECK_FALSE(transport->write("too early"));
  transport->start(log.handlers());
  CHECK(log.calls() == 0);  // nothing runs inside start()
  REQUIRE(run_until(
      io, [&] { return transport->is_connected(); }, kWait));
  CHECK(log.connects == 1);
  CHECK(transport->describe().rfind(TestType::kKind, 0) == 0);
  exchange(io, device, *transport, log, "x");
}

TEMPLATE_TEST_CASE("link: after the device drops the link, it reconnects and bytes flow again",
                   "[link]", TcpDevice, UdpDevice, SerialDevice) {
  asio::io_context io;
  TestType device(io);
  Log log;
  auto transport = device.transport(kBackoffMin, kBackoffMax);
  transport->start(log.handlers());
  REQUIRE(run_until(
      io, [&] { return log.connects == 1; }, kWait));
  exchange(io, device, *transport, log, "first");

  device.drop(*transport);
  REQUIRE(run_until(
      io, [&] { return log.downs.size() == 1 && log.connects == 2; }, kWait));
  CHECK(transport->is_connected());
  exchange(io, device, *transport, log, "second");
}

TEMPLATE_TEST_CASE("link: failed attempts are retried no sooner than the backoff", "[link]",
                   TcpDevice, UdpDevice, SerialDevice) {
  asio::io_context io;
  TestType device(io);
  Log log;
  // min == max, so every delay is exactly this long, jitter or not.
  constexpr Duration kBackoff{40};
  auto transport = device.unreachable(kBackoff);
  transport->start(log.handlers());
  REQUIRE(run_until(
      io, [&] { return log.downs.size() >= 4; }, kWait));
  CHECK(log.connects == 0);
  CHECK_FALSE(transport->is_connected());
  for (std::size_t i = 1; i < log.downs.size(); ++i) {
    CHECK(log.downs[i] - log.downs[i - 1] >= kBackoff);
  }
}

TEMPLATE_TEST_CASE("link: nothing is called after stop(), whatever was in flight", "[link]",
                   TcpDevice, UdpDevice, SerialDevice) {
  asio::io_context io;
  TestType device(io);
  Log log;
  auto transport = device.transport(kBackoffMin, kBackoffMax);
  transport->start(log.handlers());
  REQUIRE(run_until(
      io, [&] { return log.connects == 1; }, kWait));
  exchange(io, device, *transport, log, "x");

  // Bytes on their way in, a write on its way out, and a retry about to be scheduled.
  device.send("late");
  CHECK(transport->write("last"));
  SECTION("stopped") {
    transport->stop();
    CHECK_FALSE(transport->is_connected());
    CHECK_FALSE(transport->write("after"));
  }
  SECTION("stopped after asking to reconnect") {
    transport->reconnect();
    transport->stop();
  }
  SECTION("destroyed") {
    transport.reset();
  }
  const int calls = log.calls();
  // The device ends the link too (for UDP: reconnect() on a stopped transport does nothing).
  if (transport) device.drop(*transport);
  io.restart();
  io.run_for(200ms);
  CHECK(log.calls() == calls);
}

TEMPLATE_TEST_CASE("link: 200 reconnects leave the open descriptors as they were", "[link]",
                   TcpDevice, UdpDevice, SerialDevice) {
  asio::io_context io;
  TestType device(io);
  Log log;
  auto transport = device.transport(kBackoffMin, kBackoffMax);
  transport->start(log.handlers());
  REQUIRE(run_until(
      io, [&] { return log.connects == 1 && device.linked(); }, kWait));
  // Counted once the loop, the device and the first link exist.
  const std::size_t before = open_fds();
  for (int cycle = 2; cycle <= 201; ++cycle) {
    device.drop(*transport);
    REQUIRE(run_until(
        io, [&] { return log.connects == cycle && device.linked(); }, kWait));
  }
  CHECK(log.downs.size() == 200);
  CHECK(open_fds() == before);
  CHECK(transport->write("still here"));
  REQUIRE(run_until(
      io, [&] { return device.received().find("still here") != std::string::npos; }, kWait));
}
