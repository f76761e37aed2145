// One Engine.IO v4 session: packets queued for whichever transport carries it now (a held
// polling GET, or a WebSocket), the server's pings with their deadline, and the upgrade from
// polling to WebSocket with no packet lost or sent twice.
#pragma once

#include "uplink/http/http_message.hpp"
#include "uplink/http/live_session.hpp"
#include "uplink/http/ws_dialect.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace roomd {

struct ApiContext;

// What the session hands up: each message packet, and its end.
class EngineIoHandler {
 public:
  virtual ~EngineIoHandler() = default;
  virtual void on_message(std::string_view text) = 0;
  // A binary message: the handler answers with its protocol's error, or ignores it.
  virtual void on_binary() = 0;
  // The session ended (the client left, missed a pong, or close() ran): let go of everything.
  // Called once, from a fresh handler; nothing sent afterwards goes anywhere.
  virtual void on_close(const std::string& why) = 0;
};

class EngineIoOutput {
 public:
  virtual ~EngineIoOutput() = default;
  virtual void send_message(std::string text) = 0;
  // Ends the session once everything sent before went out, with Engine.IO's close packet.
  virtual void close(const std::string& why) = 0;
  // The session now acts under API key `key_id`: a reload that changes that key closes it.
  virtual void set_key_id(std::string key_id) = 0;
  virtual const std::string& peer() const = 0;
};

struct EngineIoOptions {
  Duration ping_interval{25000};
  Duration ping_timeout{20000};
  std::size_t max_payload = 1000000;
};

class EngineIoSession final : public std::enable_shared_from_this<EngineIoSession>,
                              public LiveSession,
                              public EngineIoOutput {
 public:
  // Runs on `executor` (the API strand). `ended(sid)` lets the server forget it.
  EngineIoSession(std::shared_ptr<ApiContext> api, EngineIoOptions options, std::string sid,
                  std::string peer, Executor executor,
                  std::function<void(const std::string&)> ended);
  ~EngineIoSession() override;

  const std::string& sid() const { return sid_; }
  // The handshake's open packet; `upgrades` lists websocket (a polling session may upgrade).
  std::string open_packet(bool upgrades) const;
  // Starts the pings; `handler` hears every message from now on.
  void start(std::unique_ptr<EngineIoHandler> handler);

  // Long-polling: a GET is held until there is something to send; a POST carries packets in.
  void poll(const HttpRequest& request, std::function<void(HttpResponse)> done);
  void post(const HttpRequest& request, std::function<void(HttpResponse)> done);
  bool polling() const { return ws_ == nullptr; }

  // A WebSocket carries the session: `ws` from its opening (no polling before), or a probe
  // that becomes the transport once the client sends the upgrade packet.
  void use_websocket(WsOutput& ws);
  // False when the session cannot upgrade (already on a WebSocket, or another probe runs).
  bool accept_probe(WsOutput& ws);
  void on_websocket_text(WsOutput& ws, std::string_view text);
  void on_websocket_binary(WsOutput& ws);
  void on_websocket_closed(WsOutput& ws);

  // EngineIoOutput
  void send_message(std::string text) override;
  void close(const std::string& why) override;
  void set_key_id(std::string key_id) override { key_id_ = std::move(key_id); }
  const std::string& peer() const override { return peer_; }

  // LiveSession: the server sweeps, counts and closes it like a WebSocket.
  void run(HttpRequest) override {}  // it started with its handshake, not an upgrade
  void shutdown() override;
  void check_backlog(Clock::time_point now) override;
  std::size_t queued_bytes() const override { return queued_bytes_; }
  const std::string& key_id() const override { return key_id_; }
  void revoke() override;

 private:
  struct Queued {
    std::string packet;
    Clock::time_point at;
  };

  void handle_packet(char type, std::string_view data, bool binary);
  void queue(std::string packet);
  void flush();
  // Answers the held GET with everything queued, or a noop when nothing is (so a client that
  // upgrades can finish its polling cycle).
  void answer_poll();
  // Closes the probing WebSocket; the session stays on polling.
  void drop_probe();
  void schedule_ping();
  // The one timer: the next ping, the pong's deadline, or the close packet's grace.
  void wake_after(Duration delay);
  void on_ping_timer();
  // Ends the session now: no close packet (the client is gone or broke the protocol).
  void end(const std::string& why);
  // Lets go of the transports (a held GET gets the close packet), the server and the handler.
  void finish(const std::string& why);

  std::shared_ptr<ApiContext> keep_;
  ApiContext& api_;
  EngineIoOptions options_;
  std::string sid_;
  std::string peer_;
  std::string key_id_;
  Executor executor_;
  std::function<void(const std::string&)> ended_;
  std::unique_ptr<EngineIoHandler> handler_;
  std::deque<Queued> queue_;
  std::size_t queued_bytes_ = 0;
  // The GET held open, and the request it answers (its version and keep-alive).
  std::function<void(HttpResponse)> pending_poll_;
  HttpRequest poll_request_;
  WsOutput* ws_ = nullptr;     // the WebSocket transport, once there is one
  WsOutput* probe_ = nullptr;  // a WebSocket that is upgrading this session
  boost::asio::steady_timer ping_timer_;
  bool awaiting_pong_ = false;
  boost::asio::steady_timer upgrade_timer_;
  // The probe was answered; the upgrade packet comes next.
  bool upgrading_ = false;
  // The held GET is answered once this turn is over.
  bool answer_posted_ = false;  // the probe was
                                // answered; the upgrade packet comes next
  bool closing_ = false;        // close(): the close packet is queued, nothing follows it
  bool finished_ = false;
};

}  // namespace roomd
