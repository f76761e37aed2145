#include "tests/support/tcp_test_server.hpp"

#include <boost/asio/write.hpp>

#include <array>
#include <memory>
#include <string>

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

namespace {

// One accepted client's read loop. Each pending read holds the loop, so the loop ends (and
// is freed) when a read fails, or when the io_context is destroyed with a read pending.
struct ClientReader : std::enable_shared_from_this<ClientReader> {
  ClientReader(std::shared_ptr<tcp::socket> c, std::shared_ptr<std::string> r, bool e)
      : client(std::move(c)), received(std::move(r)), echo(e) {}

  void read() {
    client->async_read_some(
        boost::asio::buffer(buffer),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec) return;
          self->received->append(self->buffer.data(), n);
          if (self->echo) {
            boost::system::error_code ignored;
            boost::asio::write(*self->client, boost::asio::buffer(self->buffer.data(), n), ignored);
          }
          self->read();
        });
  }

  std::shared_ptr<tcp::socket> client;
  std::shared_ptr<std::string> received;
  bool echo;
  std::array<char, 4096> buffer{};
};

}  // namespace

void TcpTestServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;
    auto client = std::make_shared<tcp::socket>(std::move(socket));
    clients_.push_back(client);
    std::make_shared<ClientReader>(client, received_, echo_)->read();
    accept();
  });
}

}  // namespace roomd::test
