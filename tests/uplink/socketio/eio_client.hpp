// The client side of the Socket.IO tests, written from the protocol documents rather than with
// the code under test: raw HTTP requests whose answers are collected under a deadline (a
// long-poll GET is held by the server), and DAS over a WebSocket opened straight at
// /socket.io/ (Engine.IO's open packet, Socket.IO's connect, then message events).
#pragma once

#include "base/json.hpp"
#include "tests/uplink/api_fixture.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace roomd::test {

struct EioAnswer {
  int status = 0;
  std::string body;
  std::string content_type;
};

// An HTTP request sent at construction; its answer is read by wait().
class PendingRequest {
 public:
  PendingRequest(std::uint16_t port, http::verb method, const std::string& target,
                 const std::string& body = "");
  // The answer; throws std::runtime_error when none came within `timeout`.
  EioAnswer wait(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True when the answer came within `timeout` (false: the server still holds it).
  bool answered_within(std::chrono::milliseconds timeout);

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  std::optional<beast::error_code> result_;
};

// "/socket.io/?EIO=4&transport=<transport>[&sid=<sid>]".
std::string eio_target(const std::string& sid = "", const std::string& transport = "polling");
EioAnswer eio_get(std::uint16_t port, const std::string& target);
EioAnswer eio_post(std::uint16_t port, const std::string& sid, const std::string& body);
// A polling handshake: the open packet's JSON (its sid, upgrades, ping timers, maxPayload).
Json eio_open(std::uint16_t port);

// DAS on a WebSocket opened straight at /socket.io/, connected to the main namespace.
class DasWs {
 public:
  explicit DasWs(std::uint16_t port, const std::string& query = "");
  // 42["message", message]
  void send(const Json& message);
  // The next Socket.IO message event's argument; Engine.IO pings on the way are answered.
  Json next(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The next message of `type`, skipping others (subject_updates while waiting for an answer).
  Json next_of_type(const std::string& type,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Sends the authorization with `key` and returns the answer.
  Json authorize(const std::string& key);
  // The raw next WebSocket message (an Engine.IO packet).
  std::string raw(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  WsClient& ws() { return ws_; }
  const Json& open() const { return open_; }

 private:
  WsClient ws_;
  Json open_;
};

}  // namespace roomd::test
