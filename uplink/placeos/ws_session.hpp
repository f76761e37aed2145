// One WebSocket connection of the real-time API: reads requests, answers `ping` with `pong`,
// and owns the outbound queue, which it frames straight into the batching stream while the
// stream has room. While the client is backed up, queued notifies of one binding are
// coalesced to the newest value; a client that stays over its bound is closed with 1008 so
// it never delays anyone else.
#pragma once

#include "uplink/http/beast.hpp"
#include "uplink/http/connection_limits.hpp"
#include "uplink/http/corked_stream.hpp"
#include "uplink/http/live_session.hpp"
#include "uplink/placeos/control_session.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <memory>
#include <string>

namespace roomd {

struct ApiContext;

class WsSession final : public std::enable_shared_from_this<WsSession>,
                        public LiveSession,
                        public placeos::ControlOutput {
 public:
  // `socket` runs on the API strand.
  WsSession(std::shared_ptr<ApiContext> api, tcp::socket socket, ConnectionSlot slot, Grant grant,
            std::string peer);
  ~WsSession() override;

  // LiveSession
  void run(HttpRequest upgrade) override;
  void shutdown() override;
  void check_backlog(Clock::time_point now) override;
  std::size_t queued_bytes() const override { return queued_bytes_; }

  // ControlOutput
  void send(std::string message) override;
  void notify(Binding& binding, const SharedText& value) override;
  void forget(Binding& binding) override;

 private:
  // A whole message in `text`, or a notify: head + value + tail, where head and tail are the
  // binding's while it is bound and copied here when it goes away first.
  struct Outgoing {
    std::string text;
    SharedText value;
    std::string tail;
    Binding* binding = nullptr;  // a notify that may still be replaced by a newer value
    Clock::time_point queued_at;
    const std::string& head_text() const { return binding ? binding->head : text; }
    const std::string& tail_text() const { return binding ? binding->tail : tail; }
    std::size_t size() const {
      return head_text().size() + (value ? value->size() + tail_text().size() : 0);
    }
  };

  void on_accept(beast::error_code ec);
  void read();
  void on_read(beast::error_code ec, std::size_t bytes);
  // Queues a message; false when that put the connection over its bound (it is closing).
  bool enqueue(Outgoing message);
  void write_next();
  void on_write(beast::error_code ec);
  void close_slow(const std::string& why);
  void close_policy();
  void send_close();
  void drop_unsent();
  void finish();

  std::shared_ptr<ApiContext> keep_;  // outlives this session
  ApiContext& api_;
  ConnectionSlot slot_;  // before ws_, so it is released after the socket closed
  // A plain socket underneath (the websocket has its own timeouts), with writes batched.
  websocket::stream<CorkedStream> ws_;
  asio::steady_timer cut_timer_;  // ends a slow client whose last write never completes
  std::string peer_;
  std::unique_ptr<placeos::ControlSession> control_;
  beast::flat_buffer buffer_;
  // By value: a deque keeps element addresses stable when its ends change, which
  // Binding::pending relies on; one allocation fewer per message.
  std::deque<Outgoing> queue_;  // not yet handed to the stream
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;  // waiting for the stream to drain below its high-water mark
  bool closing_ = false;
  bool close_sent_ = false;
  bool finished_ = false;
};

}  // namespace roomd
