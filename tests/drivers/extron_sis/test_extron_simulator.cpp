// The Extron SIS simulator on its own: the device rules (ties, volume, mutes, verbose mode,
// E-codes) without I/O, then over TCP with a raw client: banner, password prompt and login,
// front-panel reports only in verbose mode, faults, idle timeout, and the pty line.
#include "drivers/extron_sis/extron_simulator.hpp"
#include "tests/support/wait.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <string>

using namespace roomd;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;
namespace ex = roomd::extron;

namespace {

// A telnet client that keeps reading into `in` while the test runs the io_context.
struct Client {
  Client(asio::io_context& io, std::uint16_t port) : io(io), socket(io) {
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    read();
  }

  void read() {
    socket.async_read_some(asio::buffer(chunk),
                           [this](boost::system::error_code ec, std::size_t n) {
                             if (ec) {
                               closed = true;
                               return;
                             }
                             in.append(chunk.data(), n);
                             read();
                           });
  }

  void send(const std::string& bytes) { asio::write(socket, asio::buffer(bytes)); }

  // Waits until `text` has arrived; returns everything read so far and forgets it.
  std::string expect(const std::string& text) {
    INFO("waiting for \"" << text << "\", have \"" << in << "\"");
    REQUIRE(test::run_until(
        io, [&] { return in.find(text) != std::string::npos; }, 5s));
    return std::exchange(in, {});
  }

  // The banner and the date line, which may arrive in one read or two.
  std::string expect_banner() {
    REQUIRE(test::run_until(io, [&] {
      auto first = in.find("\r\n");
      return first != std::string::npos && in.find("\r\n", first + 2) != std::string::npos;
    }));
    return std::exchange(in, {});
  }

  asio::io_context& io;
  tcp::socket socket;
  std::array<char, 512> chunk{};
  std::string in;
  bool closed = false;
};

ex::SimulatorOptions small_switcher() {
  ex::SimulatorOptions options;
  options.inputs = 4;
  options.outputs = 2;
  options.volume_max = 64;
  return options;
}

}  // namespace

TEST_CASE("extron_sis: SIS device: ties per output and layer", "[extron][simulator]") {
  ex::SisDevice device(small_switcher());
  int verbose = 0;
  CHECK(device.handle("3*2!", verbose) == "Out2 In3 All");
  CHECK(device.video_tie(2) == 3);
  CHECK(device.audio_tie(2) == 3);
  CHECK(device.handle("4*2%", verbose) == "Out2 In4 Vid");
  CHECK(device.video_tie(2) == 4);
  CHECK(device.audio_tie(2) == 3);
  CHECK(device.handle("1*2$", verbose) == "Out2 In1 Aud");
  CHECK(device.audio_tie(2) == 1);
  CHECK(device.handle("2*1&", verbose) == "Out1 In2 RGB");
  CHECK(device.video_tie(1) == 2);
  CHECK(device.handle("0*1!", verbose) == "Out1 In0 All");  // untie
  CHECK(device.video_tie(1) == 0);
  // Simple switching: every output.
  CHECK(device.handle("2!", verbose) == "In2 All");
  CHECK(device.video_tie(1) == 2);
  CHECK(device.audio_tie(2) == 2);
  // Queries answer the value, tagged in verbose modes 2 and 3.
  CHECK(device.handle("!", verbose) == "2");
  verbose = 3;
  CHECK(device.handle("%", verbose) == "In2 Vid");
}

TEST_CASE("extron_sis: SIS device: errors for what the switcher does not have",
          "[extron][simulator]") {
  ex::SisDevice device(small_switcher());
  int verbose = 0;
  CHECK(device.handle("5*1!", verbose) == "E01");
  CHECK(device.handle("1*3!", verbose) == "E12");
  CHECK(device.handle("1*0!", verbose) == "E12");
  CHECK(device.handle("65V", verbose) == "E13");
  CHECK(device.handle("2Z", verbose) == "E13");
  CHECK(device.handle("K", verbose) == "E10");
  CHECK(device.handle("\x1b"
                      "9CV\r",
                      verbose) == "E10");
  CHECK(device.video_tie(1) == 1);
  CHECK(device.volume() == 64);
}

TEST_CASE("extron_sis: SIS device: volume, mutes, verbose mode, firmware", "[extron][simulator]") {
  ex::SimulatorOptions options = small_switcher();
  options.zero_pad = true;
  ex::SisDevice device(options);
  int verbose = 0;
  CHECK(device.handle("32V", verbose) == "Vol32");
  CHECK(device.volume() == 32);
  CHECK(device.handle("+V", verbose) == "Vol33");
  CHECK(device.handle("-V", verbose) == "Vol32");
  CHECK(device.handle("V", verbose) == "32");
  CHECK(device.handle("1Z", verbose) == "Amt1");
  CHECK(device.audio_muted());
  CHECK(device.handle("Z", verbose) == "1");
  CHECK(device.handle("0Z", verbose) == "Amt0");
  CHECK(device.handle("1B", verbose) == "Vmt1");
  CHECK(device.video_muted());
  CHECK(device.handle("0B", verbose) == "Vmt0");
  CHECK(device.handle("\x1b"
                      "3CV\r",
                      verbose) == "Vrb3");
  CHECK(verbose == 3);
  CHECK(device.handle("\x1b"
                      "CV\r",
                      verbose) == "Vrb3");
  CHECK(device.handle("V", verbose) == "Vol32");
  CHECK(device.handle("Q", verbose) == "1.02");
  // Zero-padded numbers, as many models answer.
  CHECK(device.handle("1*2!", verbose) == "Out02 In01 All");
  CHECK(device.handle("3!", verbose) == "In03 All");
}

TEST_CASE("extron_sis: simulator over TCP: banner, verbose mode, front-panel ties",
          "[extron][simulator]") {
  asio::io_context io;
  ex::ExtronSimulator sim(io.get_executor(), small_switcher());
  Client client(io, sim.listen_tcp());
  auto hello = client.expect_banner();
  CHECK(hello.starts_with(
      "(c) Copyright 2020, Extron Electronics, DXP 88 HDMI, V1.02, 60-1234-01\r\n"));

  // Commands have no terminator; answers end with CR LF.
  client.send("2*1!");
  CHECK(client.expect("\r\n") == "Out1 In2 All\r\n");
  CHECK(sim.device().video_tie(1) == 2);

  // Verbose mode 0: a front-panel tie is not reported.
  sim.front_panel_tie(3, 2);
  client.send("Q");
  CHECK(client.expect("\r\n") == "1.02\r\n");
  CHECK(sim.device().video_tie(2) == 3);

  client.send(
      "\x1b"
      "3CV\r");
  CHECK(client.expect("\r\n") == "Vrb3\r\n");
  sim.front_panel_tie(4, 2, '%');
  CHECK(client.expect("\r\n") == "Out2 In4 Vid\r\n");
  CHECK(sim.received() == std::vector<std::string>{"2*1!", "Q",
                                                   "\x1b"
                                                   "3CV\r"});
}

TEST_CASE("extron_sis: simulator over TCP: password prompt and login", "[extron][simulator]") {
  asio::io_context io;
  auto options = small_switcher();
  options.password = "secret";
  options.user_password = "guest";

  SECTION("administrator") {
    ex::ExtronSimulator sim(io.get_executor(), options);
    Client client(io, sim.listen_tcp());
    CHECK(client.expect("\r\nPassword:").ends_with("\r\n\r\nPassword:"));
    // Before the login nothing is a command.
    client.send("secret\r");
    CHECK(client.expect("Login Administrator\r\n") == "\r\nLogin Administrator\r\n");
    client.send("1Z");
    CHECK(client.expect("\r\n") == "Amt1\r\n");
    CHECK(sim.received() == std::vector<std::string>{"secret\r", "1Z"});
  }

  SECTION("user") {
    ex::ExtronSimulator sim(io.get_executor(), options);
    Client client(io, sim.listen_tcp());
    client.expect("Password:");
    client.send("guest\r");
    client.expect("\r\nLogin User\r\n");
  }

  SECTION("wrong password: asked again") {
    ex::ExtronSimulator sim(io.get_executor(), options);
    Client client(io, sim.listen_tcp());
    client.expect("Password:");
    client.send("1Z\r");
    CHECK(client.expect("Password:") == "\r\nPassword:");
    CHECK_FALSE(sim.device().audio_muted());
  }

  SECTION("wrong password: E10") {
    options.refuse_with_e10 = true;
    ex::ExtronSimulator sim(io.get_executor(), options);
    Client client(io, sim.listen_tcp());
    client.expect("Password:");
    client.send("nope\r");
    CHECK(client.expect("E10\r\n") == "\r\nE10\r\n");
  }
}

TEST_CASE("extron_sis: simulator faults", "[extron][simulator]") {
  asio::io_context io;
  ex::ExtronSimulator sim(io.get_executor(), small_switcher());
  Client client(io, sim.listen_tcp());
  client.expect_banner();

  SECTION("error reply") {
    sim.set_fault(ex::Fault::error_reply, "E24");
    client.send("1*1!");
    CHECK(client.expect("\r\n") == "E24\r\n");
  }

  SECTION("garbage before the answer") {
    sim.set_fault(ex::Fault::garbage);
    client.send("1B");
    auto got = client.expect("Vmt1\r\n");
    CHECK(got.ends_with("\r\nVmt1\r\n"));
    CHECK(static_cast<unsigned char>(got.front()) >= 0x80);
  }

  SECTION("no answer, then drop") {
    sim.set_fault(ex::Fault::no_answer);
    client.send("1Z");
    REQUIRE(test::run_until(io, [&] { return sim.received().size() == 1; }));
    CHECK_FALSE(sim.device().audio_muted());
    sim.set_fault(ex::Fault::drop_connection);
    client.send("Q");
    REQUIRE(test::run_until(io, [&] { return client.closed; }));
    CHECK(sim.connections() == 0);
  }
}

TEST_CASE("extron_sis: simulator closes a silent telnet session after the idle timeout",
          "[extron][simulator]") {
  asio::io_context io;
  auto options = small_switcher();
  options.idle_timeout = 100ms;
  ex::ExtronSimulator sim(io.get_executor(), options);
  Client client(io, sim.listen_tcp());
  REQUIRE(test::run_until(
      io, [&] { return client.closed; }, 5s));
  CHECK(sim.connections() == 0);
}

TEST_CASE("extron_sis: simulator on a pty: no banner, commands at once", "[extron][simulator]") {
  asio::io_context io;
  ex::ExtronSimulator sim(io.get_executor(), small_switcher());
  auto path = sim.open_pty();
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, "2*2$", 4) == 4);
  std::string in;
  REQUIRE(test::run_until(io, [&] {
    char buffer[64];
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    auto n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) in.append(buffer, static_cast<std::size_t>(n));
    return in.find("\r\n") != std::string::npos;
  }));
  CHECK(in == "Out2 In2 Aud\r\n");
  CHECK(sim.device().audio_tie(2) == 2);
  ::close(fd);
}
