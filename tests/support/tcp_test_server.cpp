#include "tests/support/tcp_test_server.hpp"

#include <boost/asio/write.hpp>

namespace roomd::test {

using boost::asio::ip::tcp;

TcpTestServer::TcpTestServer(boost::asio::io_context& io, bool echo)
    : acceptor_(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)),
      port_(acceptor_.local_endpoint().port()),
      echo_(echo) {
  accept();
}

TcpTestServer::~TcpTestServer() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  drop_clients();
}

std::size_t TcpTestServer::connections() const {
  std::size_t open = 0;
  for (const auto& c : clients_) open += c->is_open() ? 1 : 0;
  return open;
}

void TcpTestServer::send(const std::string& bytes) {
  for (auto& c : clients_)
    if (c->is_open()) {
      boost::system::error_code ec;
      boost::asio::write(*c, boost::asio::buffer(bytes), ec);
    }
}

void TcpTestServer::drop_clients() {
  for (auto& c : clients_) {
    boost::system::error_code ec;
    c->close(ec);
  }
  clients_.clear();
}

void TcpTestServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;
    auto client = std::make_shared<tcp::socket>(std::move(socket));
    clients_.push_back(client);
    auto buffer = std::make_shared<std::array<char, 4096>>();
    auto received = received_;
    bool echo = echo_;
    auto read = std::make_shared<std::function<void()>>();
    *read = [client, buffer, received, echo, read] {
      client->async_read_some(
          boost::asio::buffer(*buffer),
          [client, buffer, received, echo, read](boost::system::error_code ec, std::size_t n) {
            if (ec) {
              *read = nullptr;  // breaks the self-reference
              return;
            }
            received->append(buffer->data(), n);
            if (echo) {
              boost::system::error_code wec;
              boost::asio::write(*client, boost::asio::buffer(buffer->data(), n), wec);
            }
            (*read)();
          });
    };
    (*read)();
    accept();
  });
}

}  // namespace roomd::test
