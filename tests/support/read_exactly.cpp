#include "tests/support/read_exactly.hpp"

#include "tests/support/wait.hpp"

#include <boost/asio/read.hpp>

#include <catch2/catch.hpp>

namespace roomd::test {

std::string read_exactly(boost::asio::io_context& io, boost::asio::ip::tcp::socket& socket,
                         std::size_t n, std::chrono::milliseconds timeout) {
  std::string out(n, '\0');
  bool done = false;
  boost::system::error_code error;
  boost::asio::async_read(socket, boost::asio::buffer(out),
                          [&](boost::system::error_code ec, std::size_t) {
                            error = ec;
                            done = true;
                          });
  REQUIRE(run_until(
      io, [&] { return done; }, timeout));
  INFO("reading " << n << " bytes");
  REQUIRE_FALSE(error);
  return out;
}

}  // namespace roomd::test
