// The simulators' shared byte server: a handler sees each line's bytes and answers on the same
// line, over TCP and over a pty; broadcast reaches every line; a hang-up is seen by the client.
#include "drivers/sim/stream_server.hpp"
#include "tests/support/read_exactly.hpp"
#include "tests/support/wait.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <string>

using namespace roomd;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Answers every chunk with "<" + chunk + ">", greets on open.
class Echo : public sim::Handler {
 public:
  void on_open(sim::Connection& line) override { line.send(line.is_pty() ? "hi pty\n" : "hi\n"); }
  void on_bytes(sim::Connection& line, std::string_view bytes) override {
    if (bytes == "bye") {
      line.close();
      return;
    }
    line.send("<" + std::string(bytes) + ">");
  }
};

}  // namespace

TEST_CASE("stream server answers each TCP client on its own line") {
  asio::io_context io;
  sim::StreamServer server(io.get_executor(), [] { return std::make_unique<Echo>(); });
  auto port = server.listen_tcp();
  tcp::socket a(io), b(io);
  a.connect({asio::ip::make_address("127.0.0.1"), port});
  b.connect({asio::ip::make_address("127.0.0.1"), port});
  CHECK(test::read_exactly(io, a, 3) == "hi\n");
  CHECK(test::read_exactly(io, b, 3) == "hi\n");
  REQUIRE(test::run_until(io, [&] { return server.connections() == 2; }));

  asio::write(a, asio::buffer(std::string("x")));
  CHECK(test::read_exactly(io, a, 3) == "<x>");
  server.broadcast("!");
  CHECK(test::read_exactly(io, a, 1) == "!");
  CHECK(test::read_exactly(io, b, 1) == "!");

  asio::write(b, asio::buffer(std::string("bye")));
  REQUIRE(test::run_until(io, [&] { return server.connections() == 1; }));
  server.drop_clients();
  CHECK(server.connections() == 0);
  char c;
  boost::system::error_code ec;
  a.read_some(asio::buffer(&c, 1), ec);
  CHECK(ec == asio::error::eof);

  // Back on the same port after a stop.
  server.stop_tcp();
  CHECK(server.listen_tcp() == port);
}

TEST_CASE("stream server serves a pty with a stable symlink") {
  asio::io_context io;
  sim::StreamServer server(io.get_executor(), [] { return std::make_unique<Echo>(); });
  auto link = std::filesystem::temp_directory_path() / ("roomd-sim-" + std::to_string(::getpid()));
  auto path = server.open_pty(link.string());
  REQUIRE(std::filesystem::read_symlink(link) == path);

  int fd = ::open(link.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  REQUIRE(fd >= 0);
  std::string got;
  auto pump = [&] {
    char buf[64];
    auto n = ::read(fd, buf, sizeof buf);
    if (n > 0) got.append(buf, static_cast<std::size_t>(n));
  };
  REQUIRE(test::run_until(io, [&] {
    pump();
    return got == "hi pty\n";
  }));
  got.clear();
  REQUIRE(::write(fd, "ab", 2) == 2);
  REQUIRE(test::run_until(io, [&] {
    pump();
    return got == "<ab>";
  }));
  ::close(fd);
  server.close_pty();
  CHECK_FALSE(std::filesystem::exists(std::filesystem::symlink_status(link)));
}
