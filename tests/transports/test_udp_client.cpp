#include "transports/udp_client.hpp"

#include "tests/support/wait.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using roomd::Backoff;
using roomd::Duration;
using roomd::UdpClient;
using roomd::UdpTransportConfig;
using roomd::test::run_until;
namespace asio = boost::asio;
using Udp = asio::ip::udp;
using boost::system::error_code;

namespace {

constexpr auto kWait = 5s;

// A loopback device that records every datagram and who sent it.
struct Device {
  explicit Device(asio::io_context& io, std::uint16_t port = 0)
      : socket(io, Udp::endpoint(asio::ip::make_address("127.0.0.1"), port)) {
    receive();
  }

  std::uint16_t port() const { return socket.local_endpoint().port(); }

  void receive() {
    socket.async_receive_from(asio::buffer(buffer), sender, [this](error_code ec, std::size_t n) {
      if (ec) return;
      datagrams.emplace_back(buffer.data(), n);
      senders.push_back(sender);
      receive();
    });
  }

  void send_to_last(const std::string& bytes) {
    auto data = std::make_shared<std::string>(bytes);
    socket.async_send_to(asio::buffer(*data), senders.back(), [data](error_code, std::size_t) {});
  }

  Udp::socket socket;
  std::array<char, 2048> buffer{};
  Udp::endpoint sender;
  std::vector<std::string> datagrams;
  std::vector<Udp::endpoint> senders;
};

struct Events {
  roomd::Transport::Handlers handlers() {
    return {
        .on_connect = [this] { ++connects; },
        .on_disconnect = [this](const error_code& ec) { errors.push_back(ec); },
        .on_bytes = [this](std::string_view b) { datagrams.emplace_back(b); },
    };
  }
  int connects = 0;
  std::vector<error_code> errors;
  std::vector<std::string> datagrams;
};

UdpTransportConfig config(std::uint16_t port) {
  UdpTransportConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = port;
  return cfg;
}

Backoff fast_backoff() {
  return Backoff(Duration{20}, Duration{100}, Backoff::Jitter::full, 1);
}

}  // namespace

TEST_CASE("udp: datagrams both ways on loopback", "[udp]") {
  asio::io_context io;
  Device device(io);
  Events events;
  UdpClient client(io.get_executor(), config(device.port()), 1, fast_backoff());
  CHECK(client.describe() == "udp 127.0.0.1:" + std::to_string(device.port()));
  CHECK_FALSE(client.write("early"));

  client.start(events.handlers());
  CHECK(events.connects == 0);  // reported from the event loop, not from inside start()
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  CHECK(client.is_connected());

  CHECK(client.write("GET LEVEL 1"));
  CHECK(client.write("GET LEVEL 2"));
  REQUIRE(run_until(
      io, [&] { return device.datagrams.size() == 2; }, kWait));
  CHECK(device.datagrams == std::vector<std::string>{"GET LEVEL 1", "GET LEVEL 2"});

  device.send_to_last("LEVEL 1 -20");
  device.send_to_last("LEVEL 2 -30");
  REQUIRE(run_until(
      io, [&] { return events.datagrams.size() == 2; }, kWait));
  // One datagram, one on_bytes: boundaries are kept.
  CHECK(events.datagrams == std::vector<std::string>{"LEVEL 1 -20", "LEVEL 2 -30"});
  CHECK(events.errors.empty());
}

TEST_CASE("udp: a fixed local port", "[udp]") {
  asio::io_context io;
  Device device(io);
  std::uint16_t local = 0;
  {
    Udp::socket probe(io, Udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    local = probe.local_endpoint().port();
  }
  auto cfg = config(device.port());
  cfg.local_port = local;
  Events events;
  UdpClient client(io.get_executor(), cfg, 1, fast_backoff());
  client.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  CHECK(client.write("hello"));
  REQUIRE(run_until(
      io, [&] { return device.datagrams.size() == 1; }, kWait));
  CHECK(device.senders.front().port() == local);
}

TEST_CASE("udp: a device that is not listening does not break the socket", "[udp]") {
  asio::io_context io;
  std::uint16_t port = 0;
  {
    Udp::socket probe(io, Udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  Events events;
  UdpClient client(io.get_executor(), config(port), 1, fast_backoff());
  client.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  for (int i = 0; i < 3; ++i) CHECK(client.write("anyone?"));

  // The device comes up on that port. A refusal still pending in the socket may swallow one
  // more datagram (the kernel reports it on the next send), so keep asking until one lands.
  Device device(io, port);
  REQUIRE(run_until(
      io,
      [&] {
        CHECK(client.write("hello"));
        return !device.datagrams.empty();
      },
      kWait));
  CHECK(device.datagrams.back() == "hello");
  CHECK(client.is_connected());
  CHECK(events.errors.empty());
  CHECK(events.connects == 1);
}

TEST_CASE("udp: reconnect() reopens the socket", "[udp]") {
  asio::io_context io;
  Device device(io);
  Events events;
  UdpClient client(io.get_executor(), config(device.port()), 1, fast_backoff());
  client.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  client.reconnect();
  CHECK_FALSE(client.is_connected());
  REQUIRE(run_until(
      io, [&] { return events.connects == 2; }, kWait));
  REQUIRE(events.errors.size() == 1);
  CHECK(events.errors.front() == asio::error::operation_aborted);
  CHECK(client.write("again"));
  REQUIRE(run_until(
      io, [&] { return device.datagrams.size() == 1; }, kWait));
  device.send_to_last("ok");
  REQUIRE(run_until(
      io, [&] { return events.datagrams.size() == 1; }, kWait));
}

TEST_CASE("udp: nothing is called after stop()", "[udp]") {
  asio::io_context io;
  Device device(io);
  Events events;
  auto client =
      std::make_unique<UdpClient>(io.get_executor(), config(device.port()), 1, fast_backoff());
  client->start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  CHECK(client->write("ping"));
  REQUIRE(run_until(
      io, [&] { return device.datagrams.size() == 1; }, kWait));
  device.send_to_last("late");
  client->stop();
  CHECK_FALSE(client->write("after"));
  client.reset();
  device.socket.close();
  // Nothing of the client's is left pending: the loop runs out of work, and calls nothing.
  io.restart();
  io.run_for(2s);
  CHECK(io.stopped());
  CHECK(events.datagrams.empty());
  CHECK(events.errors.empty());
  CHECK(events.connects == 1);
}
