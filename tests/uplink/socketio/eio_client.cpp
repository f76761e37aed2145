#include "tests/uplink/socketio/eio_client.hpp"

#include <stdexcept>

namespace roomd::test {

PendingRequest::PendingRequest(std::uint16_t port, http::verb method, const std::string& target,
                               const std::string& body)
    : socket_(io_) {
  socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "box.local:" + std::to_string(port));
  if (method == http::verb::post) {
    request.set(http::field::content_type, "text/plain;charset=UTF-8");
    request.body() = body;
  }
  request.prepare_payload();
  http::write(socket_, request);
  http::async_read(socket_, buffer_, response_,
                   [this](beast::error_code ec, std::size_t) { result_ = ec; });
}

bool PendingRequest::answered_within(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!result_ && std::chrono::steady_clock::now() < deadline) {
    io_.restart();
    io_.run_until(deadline);
  }
  return result_.has_value();
}

EioAnswer PendingRequest::wait(std::chrono::milliseconds timeout) {
  if (!answered_within(timeout))
    throw std::runtime_error("no HTTP answer within " + std::to_string(timeout.count()) + " ms");
  if (*result_) throw beast::system_error(*result_);
  return {static_cast<int>(response_.result_int()), response_.body(),
          std::string(response_[http::field::content_type])};
}

std::string eio_target(const std::string& sid, const std::string& transport) {
  auto target = "/socket.io/?EIO=4&transport=" + transport;
  if (!sid.empty()) target += "&sid=" + sid;
  return target;
}

EioAnswer eio_get(std::uint16_t port, const std::string& target) {
  return PendingRequest(port, http::verb::get, target).wait();
}

EioAnswer eio_post(std::uint16_t port, const std::string& sid, const std::string& body) {
  return PendingRequest(port, http::verb::post, eio_target(sid), body).wait();
}

Json eio_open(std::uint16_t port) {
  auto answer = eio_get(port, eio_target());
  if (answer.status != 200 || answer.body.empty() || answer.body[0] != '0')
    throw std::runtime_error("handshake answered " + std::to_string(answer.status) + ": " +
                             answer.body);
  return Json::parse(answer.body.substr(1));
}

DasWs::DasWs(std::uint16_t port, const std::string& query)
    : ws_(port, eio_target("", "websocket") + query) {
  const auto opening = ws_.read();
  if (opening.empty() || opening[0] != '0')
    throw std::runtime_error("expected the open packet, got " + opening);
  open_ = Json::parse(opening.substr(1));
  ws_.send("40");
  const auto connected = raw();
  if (connected.rfind("40{\"sid\":", 0) != 0)
    throw std::runtime_error("expected 40{\"sid\":…}, got " + connected);
}

std::string DasWs::raw(std::chrono::milliseconds timeout) {
  return ws_.read(timeout);
}

void DasWs::send(const Json& message) {
  ws_.send("42" + to_text(Json::array({"message", message})));
}

Json DasWs::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("no DAS message in time");
    const auto packet = ws_.read(left);
    if (packet == "2") {
      ws_.send("3");
      continue;
    }
    if (packet.rfind("42", 0) != 0) throw std::runtime_error("expected 42[…], got " + packet);
    auto event = Json::parse(packet.substr(2));
    if (!event.is_array() || event.size() != 2 || event[0] != "message")
      throw std::runtime_error("expected [\"message\", {…}], got " + packet);
    return event[1];
  }
}

Json DasWs::next_of_type(const std::string& type, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("no " + type + " in time");
    auto message = next(left);
    if (message.value("type", "") == type) return message;
  }
}

Json DasWs::authorize(const std::string& key) {
  send({{"type", "authorization"}, {"Authorization", "Bearer " + key}, {"id", 1}});
  return next_of_type("resp_authorization");
}

}  // namespace roomd::test
