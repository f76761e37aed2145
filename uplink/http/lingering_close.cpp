#include "uplink/http/lingering_close.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <memory>

namespace roomd {

namespace {

class LingeringClose : public std::enable_shared_from_this<LingeringClose> {
 public:
  LingeringClose(ApiStream stream, ConnectionSlot slot, std::string last_words)
      : stream_(std::move(stream)),
        timer_(stream_.get_executor()),
        slot_(std::move(slot)),
        last_words_(std::move(last_words)) {}

  void run() {
    // A connection on its way out is the first to go when the server is full.
    slot_.wait_for_request([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->close();
    });
    // The whole goodbye, write included, is bounded: a peer that reads nothing cannot keep it.
    timer_.expires_after(kLinger);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->close();
    });
    if (last_words_.empty()) return drain();
    asio::async_write(stream_, asio::buffer(last_words_),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        self->drain();
                      });
  }

 private:
  void drain() {
    if (!stream_.is_tls()) return drain_tcp();
    stream_.async_shutdown([self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->drain_tcp();
    });
  }
  void drain_tcp() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    read();
  }
  void read() {
    stream_.socket().async_read_some(
        asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec) return self->close();  // EOF: the client is done
          self->read();
        });
  }
  void close() {
    beast::error_code ignored;
    timer_.cancel();
    stream_.socket().close(ignored);
    slot_.release();
  }

  ApiStream stream_;
  asio::steady_timer timer_;
  ConnectionSlot slot_;
  std::string last_words_;
  std::array<char, 4096> scratch_;
};

}  // namespace

void linger_close(ApiStream stream, ConnectionSlot slot, std::string last_words) {
  std::make_shared<LingeringClose>(std::move(stream), std::move(slot), std::move(last_words))
      ->run();
}

}  // namespace roomd
