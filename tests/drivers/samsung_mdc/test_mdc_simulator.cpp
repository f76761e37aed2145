// The MDC simulator by raw bytes over TCP and a pty: status, sets and gets per display id,
// silence for other ids and bad checksums, and every fault a driver test relies on.
#include "drivers/samsung_mdc/mdc_frame.hpp"
#include "drivers/samsung_mdc/mdc_simulator.hpp"
#include "tests/support/read_exactly.hpp"
#include "tests/support/wait.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <string>

using namespace roomd;
using namespace roomd::samsung_mdc;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Client {
  asio::io_context io;
  MdcSimulator sim{io.get_executor(), {1, 5}};
  tcp::socket socket{io};

  Client() {
    auto port = sim.listen_tcp();
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    REQUIRE(test::run_until(io, [&] { return sim.connections() == 1; }));
  }

  void write(const std::string& bytes) { asio::write(socket, asio::buffer(bytes)); }

  std::string read(std::size_t n) { return test::read_exactly(io, socket, n); }

  // Sends a command and returns the whole reply frame as hex.
  std::string ask(const std::string& command) {
    write(command);
    auto header = read(4);
    return to_hex(header + read(static_cast<unsigned char>(header[3]) + 1u));
  }

  // True when nothing arrives while the simulator has had time to handle what was sent.
  bool silent() {
    // A probe that is always answered: its answer must be the first to arrive.
    auto answer = ask(make_frame(kCmdPower, 1));
    return answer == "AA FF 01 03 41 11 " + std::string(sim.state(1).power ? "01 56" : "00 55");
  }
};

}  // namespace

TEST_CASE("samsung_mdc: MDC simulator answers status and sets per display id",
          "[samsung_mdc][simulator]") {
  Client c;
  CHECK(c.ask(make_frame(kCmdStatus, 1)) == "AA FF 01 09 41 00 00 14 00 21 10 00 00 8F");
  CHECK(c.ask(make_frame(kCmdPower, 1, "\x01")) == "AA FF 01 03 41 11 01 56");
  CHECK(c.sim.state(1).power);
  CHECK_FALSE(c.sim.state(5).power);
  CHECK(c.ask(make_frame(kCmdVolume, 5, "\x2A")) == "AA FF 05 03 41 12 2A 84");
  CHECK(c.sim.state(5).volume == 42);
  CHECK(c.sim.state(1).volume == 20);
  CHECK(c.ask(make_frame(kCmdMute, 1, "\x01")) == "AA FF 01 03 41 13 01 58");
  CHECK(c.ask(make_frame(kCmdInput, 1, "\x25")) == "AA FF 01 03 41 14 25 7D");
  CHECK(c.sim.state(1).input == 0x25);
  CHECK(c.ask(make_frame(kCmdInput, 1)) == "AA FF 01 03 41 14 25 7D");
  CHECK(c.ask(make_frame(kCmdStatus, 1)) == "AA FF 01 09 41 00 01 14 01 25 10 00 00 95");
  // Out of range values and unknown commands are refused with a NAK.
  CHECK(c.ask(make_frame(kCmdVolume, 1, "\x65")) == "AA FF 01 03 4E 12 02 65");
  CHECK(c.ask(make_frame(kCmdInput, 1, "\x99")) == "AA FF 01 03 4E 14 02 67");
  CHECK(c.ask(make_frame(0x77, 1)) == "AA FF 01 03 4E 77 01 C9");
  CHECK(c.sim.received().size() == 10);
  CHECK(c.sim.sent().size() == 10);
}

TEST_CASE("samsung_mdc: MDC simulator ignores other ids, bad checksums and noise",
          "[samsung_mdc][simulator]") {
  Client c;
  auto bad = make_frame(kCmdPower, 1, "\x01");
  bad.back() = '\x00';
  // Noise before a frame, a frame for display 9, a frame with a bad checksum: no answer to
  // any of them, and the probe after them is answered first.
  c.write("\x01\x02" + make_frame(kCmdPower, 9, "\x01") + bad);
  CHECK(c.silent());
  CHECK_FALSE(c.sim.state(1).power);
  CHECK(c.sim.received().size() == 3);
}

TEST_CASE("samsung_mdc: MDC simulator faults", "[samsung_mdc][simulator]") {
  Client c;
  SECTION("nak with an error byte") {
    c.sim.set_fault(Fault::nak, 0x07);
    CHECK(c.ask(make_frame(kCmdPower, 1, "\x01")) == "AA FF 01 03 4E 11 07 69");
    CHECK_FALSE(c.sim.state(1).power);
  }
  SECTION("bad checksum") {
    c.sim.set_fault(Fault::bad_checksum);
    auto reply = c.ask(make_frame(kCmdPower, 1));
    CHECK_THAT(reply, Catch::StartsWith("AA FF 01 03 41 11 00"));
    CHECK_THAT(reply, !Catch::EndsWith("55"));
  }
  SECTION("wrong id") {
    c.sim.set_fault(Fault::wrong_id);
    CHECK(c.ask(make_frame(kCmdPower, 1)) == "AA FF 02 03 41 11 00 56");
  }
  SECTION("garbage before the answer") {
    c.sim.set_fault(Fault::garbage);
    c.write(make_frame(kCmdPower, 1));
    REQUIRE(test::run_until(c.io, [&] { return c.sim.sent().size() == 1; }));
    auto wire = c.sim.sent().front();
    CHECK_THAT(to_hex(wire), Catch::EndsWith("AA FF 01 F0 AA FF 01 03 41 11 00 55"));
    CHECK(c.read(wire.size()) == wire);
  }
  SECTION("no answer, then answers again") {
    c.sim.set_fault(Fault::no_answer);
    c.write(make_frame(kCmdPower, 1, "\x01"));
    REQUIRE(test::run_until(c.io, [&] { return c.sim.received().size() == 1; }));
    c.sim.set_fault(Fault::none);
    CHECK(c.silent());
    CHECK_FALSE(c.sim.state(1).power);  // not executed either
  }
  SECTION("drop the connection once") {
    c.sim.set_fault(Fault::drop_connection);
    c.write(make_frame(kCmdPower, 1, "\x01"));
    REQUIRE(test::run_until(c.io, [&] { return c.sim.connections() == 0; }));
    CHECK(c.sim.fault() == Fault::none);
    char byte;
    boost::system::error_code ec;
    c.socket.read_some(asio::buffer(&byte, 1), ec);
    CHECK(ec == asio::error::eof);
  }
}

TEST_CASE("samsung_mdc: MDC simulator serves a pty", "[samsung_mdc][simulator]") {
  asio::io_context io;
  MdcSimulator sim(io.get_executor());
  auto path = sim.open_pty();
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  REQUIRE(fd >= 0);
  auto command = make_frame(kCmdPower, 1, "\x01");
  REQUIRE(::write(fd, command.data(), command.size()) == static_cast<ssize_t>(command.size()));
  std::string got;
  REQUIRE(test::run_until(io, [&] {
    char buffer[64];
    auto n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) got.append(buffer, static_cast<std::size_t>(n));
    return got.size() >= 8;
  }));
  CHECK(to_hex(got) == "AA FF 01 03 41 11 01 56");
  CHECK(sim.state(1).power);
  ::close(fd);
}
