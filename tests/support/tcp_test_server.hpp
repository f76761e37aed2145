// A loopback TCP peer for tests: accepts connections on an ephemeral port, records what
// it receives, can answer, echo, or drop clients. Runs on the test's io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>
#include <vector>

namespace roomd::test {

class TcpTestServer {
 public:
  explicit TcpTestServer(boost::asio::io_context& io, bool echo = false);
  ~TcpTestServer();
  std::uint16_t port() const { return port_; }
  std::string received() const { return *received_; }
  std::size_t connections() const;
  void send(const std::string& bytes);
  void drop_clients();

 private:
  void accept();
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_;
  bool echo_;
  std::shared_ptr<std::string> received_ = std::make_shared<std::string>();
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> clients_;
};

}  // namespace roomd::test
