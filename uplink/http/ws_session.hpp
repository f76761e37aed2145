// One WebSocket connection of any dialect: hands each message to the dialect's handler
// (ws_dialect.hpp), and frames its outbound queue (the core's, which coalesces a backed-up
// binding to its newest value) straight into the batching stream while the stream has room;
// a client that stays over its bound is closed with 1008 so it never delays anyone else.
#pragma once

#include "uplink/core/outbound_queue.hpp"
#include "uplink/http/beast.hpp"
#include "uplink/http/connection_limits.hpp"
#include "uplink/http/corked_stream.hpp"
#include "uplink/http/live_session.hpp"
#include "uplink/http/ws_dialect.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace roomd {

struct ApiContext;

class WsSession final : public std::enable_shared_from_this<WsSession>,
                        public LiveSession,
                        public WsOutput {
 public:
  // `stream` runs on the API strand. `grant` is null when the endpoint authenticates in-band;
  // `make_dialect` makes the connection's handler once the handshake completed.
  WsSession(std::shared_ptr<ApiContext> api, ApiStream stream, ConnectionSlot slot,
            const Grant* grant, std::string peer, WsDialectFactory make_dialect);
  ~WsSession() override;

  // Before run(): messages over `bytes` close with 1009, logged as over `setting` (instead of
  // api.max_frame).
  void limit_messages(std::size_t bytes, std::string setting);

  // LiveSession
  void run(HttpRequest upgrade) override;
  void shutdown() override;
  void check_backlog(Clock::time_point now) override;
  std::size_t queued_bytes() const override { return queue_.bytes(); }
  const std::string& key_id() const override { return key_id_; }
  void revoke() override;

  // WsOutput
  void send(std::string message) override;
  void notify(Binding& binding, const SharedText& value) override;
  void forget(Binding& binding) override;
  void close_after(std::uint16_t code) override;
  void set_key_id(std::string key_id) override { key_id_ = std::move(key_id); }

 private:
  void on_accept(beast::error_code ec);
  void read();
  void on_read(beast::error_code ec, std::size_t bytes);
  // True when the queue is over its bound: the connection is closing.
  bool over_bound();
  void write_next();
  void on_write(beast::error_code ec);
  void close_slow(const std::string& why);
  void close_with(websocket::close_code code);
  void send_close(websocket::close_code code);
  void close_dialect();
  void finish();

  std::shared_ptr<ApiContext> keep_;  // outlives this session
  ApiContext& api_;
  ConnectionSlot slot_;  // before ws_, so it is released after the socket closed
  // A plain socket underneath (the websocket has its own timeouts), with writes batched.
  websocket::stream<CorkedStream> ws_;
  asio::steady_timer cut_timer_;  // ends a slow client whose last write never completes
  std::string peer_;
  std::size_t max_message_;
  std::string max_message_setting_ = "api.max_frame";
  std::string key_id_;  // empty while the connection has no key
  std::optional<Grant> grant_;
  WsDialectFactory make_dialect_;
  HttpRequest upgrade_;  // until the handshake completed
  std::unique_ptr<WsDialect> dialect_;
  beast::flat_buffer buffer_;
  OutboundQueue queue_;   // not yet handed to the stream
  bool writing_ = false;  // waiting for the stream to drain below its high-water mark
  bool closing_ = false;
  // close_after: nothing more is queued; once the queue is out, the connection closes so.
  std::optional<websocket::close_code> drain_then_close_;
  bool close_sent_ = false;
  bool finished_ = false;
};

}  // namespace roomd
