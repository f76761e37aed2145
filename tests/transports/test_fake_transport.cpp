#include "tests/support/fake_transport.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

using roomd::test::FakeLine;
namespace asio = boost::asio;

// What a module would see through the transport's handlers.
struct Seen {
  int connects = 0;
  std::vector<boost::system::error_code> disconnects;
  std::string bytes;

  roomd::Transport::Handlers handlers() {
    return {[this] { ++connects; },
            [this](const boost::system::error_code& ec) { disconnects.push_back(ec); },
            [this](std::string_view b) { bytes += b; }};
  }
};

void drain(asio::io_context& io) {
  io.restart();
  io.poll();
}

}  // namespace

TEST_CASE("fake line: handlers run posted, bytes flow both ways while connected", "[fake]") {
  asio::io_context io;
  FakeLine line;
  auto transport = line.factory()(io.get_executor());
  Seen seen;
  transport->start(seen.handlers());
  CHECK(line.started());
  CHECK_FALSE(transport->write("early"));

  line.connect();
  line.send("PJLINK 0\r");
  CHECK(seen.connects == 0);  // never from inside the test's call
  drain(io);
  CHECK(seen.connects == 1);
  CHECK(transport->is_connected());
  CHECK(seen.bytes == "PJLINK 0\r");

  CHECK(transport->write("%1POWR ?\r"));
  CHECK(transport->write(""));
  CHECK(line.writes() == std::vector<std::string>{"%1POWR ?\r"});

  line.disconnect();
  line.send("lost");
  drain(io);
  REQUIRE(seen.disconnects.size() == 1);
  CHECK(seen.disconnects[0] == asio::error::connection_reset);
  CHECK(seen.bytes == "PJLINK 0\r");
  CHECK_FALSE(transport->write("x"));
  CHECK(line.written() == "%1POWR ?\r");
}

TEST_CASE("fake line: nothing runs after stop, and a device that is off refuses", "[fake]") {
  asio::io_context io;
  FakeLine line;
  auto transport = line.factory()(io.get_executor());
  Seen seen;
  transport->start(seen.handlers());
  line.disconnect();  // refused: a failed attempt
  drain(io);
  REQUIRE(seen.disconnects.size() == 1);
  CHECK(seen.disconnects[0] == asio::error::connection_refused);

  line.connect();
  line.send("x");
  transport->stop();
  drain(io);
  CHECK(seen.connects == 0);
  CHECK(seen.bytes.empty());
  CHECK_FALSE(line.started());
}

TEST_CASE("fake line: a reconnect drops the link and it comes back while the device accepts",
          "[fake]") {
  asio::io_context io;
  FakeLine line;
  auto transport = line.factory()(io.get_executor());
  Seen seen;
  transport->start(seen.handlers());
  line.connect();
  drain(io);
  transport->reconnect();
  CHECK_FALSE(transport->is_connected());
  drain(io);
  REQUIRE(seen.disconnects.size() == 1);
  CHECK(seen.disconnects[0] == asio::error::operation_aborted);
  CHECK(seen.connects == 2);
  CHECK(line.reconnects() == 1);
}

TEST_CASE("fake line: a new transport takes the line over, and a hook answers writes", "[fake]") {
  asio::io_context io;
  FakeLine line;
  line.on_write([&](std::string_view bytes) {
    if (bytes == "Q") line.send("1.02\r\n");
  });
  line.connect();
  auto first = line.factory()(io.get_executor());
  Seen old_seen;
  first->start(old_seen.handlers());
  drain(io);
  first->stop();
  first.reset();

  auto second = line.factory()(io.get_executor());
  Seen seen;
  second->start(seen.handlers());
  drain(io);
  CHECK(seen.connects == 1);
  CHECK(second->write("Q"));
  drain(io);
  CHECK(seen.bytes == "1.02\r\n");
  CHECK(old_seen.bytes.empty());
  CHECK(second->describe() == "fake line");
}
