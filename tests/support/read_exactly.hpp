// Reading a fixed number of bytes from a test's TCP peer under a deadline: simulator and
// transport tests check byte-exact replies this way.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace roomd::test {

// Runs `io` until `n` bytes arrived on `socket`; the test fails on an error or after `timeout`.
std::string read_exactly(boost::asio::io_context& io, boost::asio::ip::tcp::socket& socket,
                         std::size_t n,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace roomd::test
