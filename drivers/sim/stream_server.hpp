// The byte side of every device simulator: serves one protocol over loopback TCP (many
// clients) and over a pseudo-terminal (one serial line), so a simulator only writes how the
// device answers. Runs on one executor; call every method from that executor's thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace roomd::sim {

// One client line: a TCP connection or the pty.
class Connection {
 public:
  virtual ~Connection() = default;
  // Queues bytes to the client; one write in flight, order kept.
  virtual void send(std::string bytes) = 0;
  // Drops the line like a device that hangs up: TCP closes the socket; the pty stays (a serial
  // cable cannot be unplugged from software) but unread input is discarded.
  virtual void close() = 0;
  virtual bool is_pty() const = 0;
};

// The device's protocol on one line; one instance per connection.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void on_open(Connection& line) { (void)line; }
  virtual void on_bytes(Connection& line, std::string_view bytes) = 0;
  virtual void on_close() {}
};

class StreamServer {
 public:
  using MakeHandler = std::function<std::unique_ptr<Handler>()>;

  StreamServer(boost::asio::any_io_executor ex, MakeHandler make_handler);
  ~StreamServer();
  StreamServer(const StreamServer&) = delete;
  StreamServer& operator=(const StreamServer&) = delete;

  // Listens on TCP; port 0 picks an ephemeral one. Returns the port. After stop_tcp(),
  // listen_tcp() with port 0 reuses the earlier port, so a test can take the device off the
  // network and bring it back where the driver expects it. Throws system_error.
  std::uint16_t listen_tcp(const std::string& bind = "127.0.0.1", std::uint16_t port = 0);
  void stop_tcp();  // closes the listener and every TCP client
  std::uint16_t port() const;

  // Opens a pseudo-terminal in raw mode and serves its master side; returns the slave path a
  // driver opens as its serial port. With `link`, a symlink to it is made there (replacing an
  // old one) and removed on close. Throws system_error.
  std::string open_pty(const std::string& link = "");
  void close_pty();
  const std::string& pty_path() const;

  // Unsolicited bytes to every open line (front-panel changes, notifications).
  void broadcast(const std::string& bytes);
  // Hangs up every TCP client (the pty is not affected).
  void drop_clients();
  std::size_t connections() const;  // open TCP clients plus the pty when open
  void stop();                      // stop_tcp() and close_pty()

 private:
  struct Core;
  std::shared_ptr<Core> core_;  // shared with pending handlers, which may outlive *this
};

}  // namespace roomd::sim
