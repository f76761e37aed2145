#include "transports/tcp_client.hpp"

#include "tests/support/wait.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using roomd::Duration;
using roomd::TcpClient;
using roomd::TcpTransportConfig;
using roomd::Transport;
using roomd::test::run_until;
namespace asio = boost::asio;
using Tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kWait = 5s;

// A loopback device: accepts one connection at a time when told to, records what it reads.
struct Server {
  explicit Server(asio::io_context& io, std::uint16_t port = 0)
      : acceptor(io, Tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)) {}

  std::uint16_t port() const { return acceptor.local_endpoint().port(); }

  void accept() {
    acceptor.async_accept([this](error_code ec, Tcp::socket socket) {
      if (ec) return;
      peer = std::make_shared<Tcp::socket>(std::move(socket));
      peer_closed = false;
      ++accepted;
      read(peer);
      if (!unsent.empty()) send(std::exchange(unsent, {}));
    });
  }

  void read(std::shared_ptr<Tcp::socket> socket) {
    socket->async_read_some(asio::buffer(buffer), [this, socket](error_code ec, std::size_t n) {
      if (ec) {
        if (socket == peer) peer_closed = true;
        return;
      }
      received.append(buffer.data(), n);
      read(socket);
    });
  }

  // The client may see its connect before this side ran its accept handler: bytes sent
  // meanwhile go out once it has.
  void send(const std::string& bytes) {
    if (!peer) {
      unsent += bytes;
      return;
    }
    auto data = std::make_shared<std::string>(bytes);
    asio::async_write(*peer, asio::buffer(*data), [data](error_code, std::size_t) {});
  }

  void drop_peer() {
    error_code ignored;
    peer->shutdown(Tcp::socket::shutdown_both, ignored);
    peer->close(ignored);
  }

  Tcp::acceptor acceptor;
  std::shared_ptr<Tcp::socket> peer;
  std::array<char, 4096> buffer{};
  std::string received;
  std::string unsent;
  int accepted = 0;
  bool peer_closed = false;
};

// What the transport reported, in order.
struct Events {
  Transport::Handlers handlers() {
    return {
        .on_connect = [this] { ++connects; },
        .on_disconnect =
            [this](const error_code& ec) {
              ++disconnects;
              errors.push_back(ec);
              disconnect_times.push_back(std::chrono::steady_clock::now());
            },
        .on_bytes = [this](std::string_view b) { bytes.append(b); },
    };
  }
  int total() const { return connects + disconnects + static_cast<int>(bytes.size()); }

  int connects = 0;
  int disconnects = 0;
  std::vector<error_code> errors;
  std::vector<std::chrono::steady_clock::time_point> disconnect_times;
  std::string bytes;
};

TcpTransportConfig config(std::uint16_t port) {
  TcpTransportConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = port;
  cfg.connect_timeout = Duration{2000};
  cfg.backoff_min = Duration{20};
  cfg.backoff_max = Duration{100};
  return cfg;
}

// Runs the loop until it has nothing left to do (bounded, so a leak fails instead of hanging).
bool run_out_of_work(asio::io_context& io) {
  io.restart();
  io.run_for(2s);
  return io.stopped();
}

// A port nobody listens on (an acceptor bound it, then let it go).
std::uint16_t free_port(asio::io_context& io) {
  Tcp::acceptor probe(io, Tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return probe.local_endpoint().port();
}

}  // namespace

TEST_CASE("tcp: connects and moves bytes both ways", "[tcp]") {
  asio::io_context io;
  Server server(io);
  server.accept();
  Events events;
  TcpClient client(io.get_executor(), config(server.port()), 4352);
  CHECK(client.describe() == "tcp 127.0.0.1:" + std::to_string(server.port()));
  CHECK_FALSE(client.write("early"));

  client.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1 && server.accepted == 1; }, kWait));
  CHECK(client.is_connected());

  server.send("%1POWR=1\r");
  REQUIRE(run_until(
      io, [&] { return events.bytes == "%1POWR=1\r"; }, kWait));

  // Several writes queue behind the one in flight and arrive in order.
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    std::string line = "%1POWR ?" + std::to_string(i) + "\r";
    expected += line;
    CHECK(client.write(line));
  }
  REQUIRE(run_until(
      io, [&] { return server.received.size() >= expected.size(); }, kWait));
  CHECK(server.received == expected);
  CHECK(events.disconnects == 0);
}

TEST_CASE("tcp: the default port is used when the config has none", "[tcp]") {
  asio::io_context io;
  auto cfg = config(0);
  cfg.host = "fe80::1";
  TcpClient client(io.get_executor(), cfg, 4352);
  CHECK(client.describe() == "tcp [fe80::1]:4352");
}

TEST_CASE("tcp: a host name is resolved", "[tcp]") {
  asio::io_context io;
  Server server(io);
  server.accept();
  Events events;
  auto cfg = config(server.port());
  cfg.host = "localhost";  // may resolve to ::1 first: the next address is tried
  TcpClient client(io.get_executor(), cfg, 1);
  client.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
}

TEST_CASE("tcp: server closes, client reports and reconnects when accepted again", "[tcp]") {
  asio::io_context io;
  Server server(io);
  server.accept();
  Events events;
  TcpClient client(io.get_executor(), config(server.port()), 1);
  client.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));

  server.drop_peer();
  REQUIRE(run_until(
      io, [&] { return events.disconnects >= 1; }, kWait));
  CHECK_FALSE(client.is_connected());
  CHECK_FALSE(client.write("lost"));
  CHECK(events.errors.front() == asio::error::eof);

  server.accept();
  REQUIRE(run_until(
      io, [&] { return events.connects == 2; }, kWait));
  CHECK(client.is_connected());
  CHECK(client.write("again\r"));
  REQUIRE(run_until(
      io, [&] { return server.received == "again\r"; }, kWait));
  server.send("back\r");
  REQUIRE(run_until(
      io, [&] { return events.bytes == "back\r"; }, kWait));
}

TEST_CASE("tcp: a refused connect is retried with backoff", "[tcp]") {
  asio::io_context io;
  const std::uint16_t port = free_port(io);
  Events events;
  TcpClient client(io.get_executor(), config(port), 1);
  const auto started = std::chrono::steady_clock::now();
  client.start(events.handlers());

  REQUIRE(run_until(
      io, [&] { return events.disconnects >= 4; }, kWait));
  CHECK(events.connects == 0);
  CHECK_FALSE(client.is_connected());
  CHECK_FALSE(client.write("nobody"));
  for (const auto& ec : events.errors) CHECK(ec == asio::error::connection_refused);
  // Delays: exactly 20 ms, then jittered within [20, 40] and [20, 80]: at least 60 ms for
  // three waits, and well under the 100 ms cap each.
  const auto waited = events.disconnect_times[3] - events.disconnect_times[0];
  CHECK(waited >= 60ms);
  CHECK(waited < 2s);
  CHECK(events.disconnect_times[0] - started < 1s);

  // The device comes up: the next retry connects.
  Server server(io, port);
  server.accept();
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  CHECK(client.is_connected());
}

TEST_CASE("tcp: a connect that hangs times out", "[tcp]") {
  asio::io_context io;
  // A listener whose accept queue is full drops further SYNs, so a connect never completes.
  Tcp::acceptor acceptor(io, Tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), false);
  acceptor.listen(0);
  std::vector<std::unique_ptr<Tcp::socket>> fillers;
  int filled = 0;
  for (int i = 0; i < 4; ++i) {
    auto s = std::make_unique<Tcp::socket>(io);
    s->async_connect(acceptor.local_endpoint(), [&](error_code ec) { filled += !ec; });
    fillers.push_back(std::move(s));
  }
  REQUIRE(run_until(
      io, [&] { return filled >= 1; }, kWait));

  Events events;
  auto cfg = config(acceptor.local_endpoint().port());
  cfg.connect_timeout = Duration{100};
  TcpClient client(io.get_executor(), cfg, 1);
  const auto started = std::chrono::steady_clock::now();
  client.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.disconnects >= 1; }, kWait));
  CHECK(events.errors.front() == asio::error::timed_out);
  CHECK(std::chrono::steady_clock::now() - started >= 100ms);
  CHECK(events.connects == 0);
}

TEST_CASE("tcp: reconnect() drops the link and connects again after the backoff", "[tcp]") {
  asio::io_context io;
  Server server(io);
  server.accept();
  Events events;
  TcpClient client(io.get_executor(), config(server.port()), 1);
  client.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));

  client.reconnect();
  CHECK_FALSE(client.is_connected());
  CHECK(events.disconnects == 0);  // reported from the event loop, not from inside reconnect()
  server.accept();
  REQUIRE(run_until(
      io, [&] { return events.connects == 2 && server.peer_closed == false; }, kWait));
  CHECK(events.disconnects == 1);
  CHECK(events.errors.front() == asio::error::operation_aborted);
  CHECK(server.accepted == 2);
}

TEST_CASE("tcp: nothing is called after stop(), even with the client destroyed", "[tcp]") {
  asio::io_context io;
  Server server(io);
  server.accept();
  Events events;
  auto client = std::make_unique<TcpClient>(io.get_executor(), config(server.port()), 1);
  client->start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  CHECK(client->write("bye\r"));

  // Bytes on their way and a server hang-up, both after stop().
  server.send("late\r");
  const int before = events.total();
  client->stop();
  CHECK_FALSE(client->is_connected());
  CHECK_FALSE(client->write("after stop"));
  client.reset();
  server.drop_peer();

  // The client closed its socket: the server sees it go; nothing reaches the handlers.
  REQUIRE(run_until(
      io, [&] { return server.peer_closed; }, kWait));
  CHECK(run_out_of_work(io));
  CHECK(events.total() == before);
}

TEST_CASE("tcp: stop() while connecting or waiting calls nothing", "[tcp]") {
  asio::io_context io;
  Events events;
  SECTION("connecting") {
    TcpClient client(io.get_executor(), config(free_port(io)), 1);
    client.start(events.handlers());
    client.stop();
    io.poll();
  }
  SECTION("waiting for the retry") {
    auto client = std::make_unique<TcpClient>(io.get_executor(), config(free_port(io)), 1);
    client->start(events.handlers());
    REQUIRE(run_until(
        io, [&] { return events.disconnects == 1; }, kWait));
    events = Events{};
    client.reset();  // the destructor stops
  }
  // stop() left nothing pending: the loop runs out of work at once instead of waiting for a
  // retry timer, and no handler ran.
  CHECK(run_out_of_work(io));
  CHECK(events.total() == 0);
}

TEST_CASE("tcp: a handler may stop and destroy the client", "[tcp]") {
  asio::io_context io;
  Server server(io);
  server.accept();
  std::unique_ptr<Transport> client =
      std::make_unique<TcpClient>(io.get_executor(), config(server.port()), 1);
  int bytes_calls = 0;
  int other_calls = 0;
  bool connected = false;
  client->start({
      .on_connect = [&] { connected = true; },
      .on_disconnect = [&](const error_code&) { ++other_calls; },
      .on_bytes =
          [&, keep = std::make_shared<int>(0)](std::string_view) {
            ++bytes_calls;
            client->stop();
            client.reset();
            CHECK(*keep == 0);  // this handler's captures are still alive
          },
  });
  REQUIRE(run_until(
      io, [&] { return connected; }, kWait));
  server.send("one\r");
  REQUIRE(run_until(
      io, [&] { return bytes_calls == 1; }, kWait));
  server.send("two\r");
  REQUIRE(run_until(
      io, [&] { return server.peer_closed; }, kWait));
  CHECK(bytes_calls == 1);
  CHECK(other_calls == 0);
}

TEST_CASE("tcp: start() after stop() starts over", "[tcp]") {
  asio::io_context io;
  Server server(io);
  server.accept();
  Events events;
  TcpClient client(io.get_executor(), config(server.port()), 1);
  client.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  client.stop();
  server.accept();
  client.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 2; }, kWait));
  CHECK(events.disconnects == 0);
}

TEST_CASE("tcp: on a strand over a multi-threaded loop, handlers run on the strand", "[tcp]") {
  asio::io_context io;
  Server server(io);
  server.accept();
  auto strand = asio::make_strand(io);
  auto client = std::make_unique<TcpClient>(strand, config(server.port()), 1);
  std::atomic<int> connects{0};
  std::atomic<int> off_strand{0};
  std::atomic<std::size_t> received{0};
  const auto check = [&] { off_strand += !strand.running_in_this_thread(); };

  // The server and the loop run on two threads; every call into the client goes through the
  // strand, as a module's code would.
  auto work = asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&] { io.run(); });

  asio::post(strand, [&] {
    client->start({
        .on_connect =
            [&] {
              check();
              ++connects;
              client->write("ping\r");
            },
        .on_disconnect = [&](const error_code&) { check(); },
        .on_bytes =
            [&](std::string_view b) {
              check();
              received += b.size();
            },
    });
  });
  REQUIRE(roomd::test::wait_until([&] { return connects == 1; }, kWait));
  asio::post(io, [&] { server.send("pong\r"); });
  REQUIRE(roomd::test::wait_until([&] { return received == 5; }, kWait));

  std::atomic<bool> stopped{false};
  asio::post(strand, [&] {
    client->stop();
    client.reset();
    stopped = true;
  });
  REQUIRE(roomd::test::wait_until([&] { return stopped.load(); }, kWait));
  work.reset();
  asio::post(io, [&] { server.acceptor.close(); });
  for (auto& t : threads) t.join();  // returns once the loop is out of work
  CHECK(off_strand == 0);
  CHECK(server.received == "ping\r");
}
