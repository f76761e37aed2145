// Malformed HTTP gets "400 Bad Request" with a short reason, then the close, never a silent
// hang-up; so does a WebSocket upgrade whose Sec-WebSocket-Key is not base64 of 16 bytes
// (RFC 6455 §4.2.1).
#include "tests/uplink/api_fixture.hpp"
#include "uplink/http/api_context.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;

namespace {

struct Answer {
  int status = 0;
  std::string reason;  // the JSON body's "msg"
  bool closed = false;
};

Answer send_raw(std::uint16_t port, const std::string& bytes) {
  auto raw = raw_exchange(port, bytes);
  Answer answer;
  answer.closed = raw.closed;
  http::response_parser<http::string_body> parser;
  beast::error_code ec;
  parser.eager(true);
  parser.put(asio::buffer(raw.received), ec);
  if (ec || !parser.is_done()) return answer;
  answer.status = static_cast<int>(parser.get().result_int());
  auto body = Json::parse(parser.get().body(), nullptr, false);
  if (body.is_object() && body["msg"].is_string()) answer.reason = body["msg"];
  CHECK_FALSE(parser.get().keep_alive());
  return answer;
}

const std::string kKey = "X-API-Key: " + std::string(kOperatorKey) + "\r\n";
const std::string kPost =
    "POST /api/engine/v2/systems/sys-1/Display_1/power HTTP/1.1\r\nHost: x\r\n";

}  // namespace

TEST_CASE("each kind of malformed request gets 400 with its reason, then the close") {
  ApiFixture api;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"GARBAGE\r\n\r\n", "malformed HTTP request: bad request line: invalid method"},
      {"GET\x01 / HTTP/1.1\r\n\r\n", "malformed HTTP request: bad request line: invalid method"},
      {"GET / HTTP/9\r\n\r\n", "malformed HTTP request: bad request line: invalid HTTP version"},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
       "malformed HTTP request: bad header line: expected a name, a colon and a value"},
      {kPost + kKey + "Content-Length: 4\r\nContent-Length: 5\r\n\r\n[true]",
       "malformed HTTP request: conflicting Content-Length headers"},
      {kPost + kKey + "Content-Length: -4\r\n\r\n[true]",
       "malformed HTTP request: bad Content-Length"},
      {kPost + kKey +
           "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n[true]\r\n0\r\n\r\n",
       "malformed HTTP request: bad or repeated Transfer-Encoding, or Transfer-Encoding with "
       "Content-Length"},
      {kPost + kKey + "Transfer-Encoding: chunked\r\n\r\nzz\r\n[true]\r\n0\r\n\r\n",
       "malformed HTTP request: bad chunk size or chunk framing"},
  };
  for (const auto& [request, reason] : cases) {
    INFO(request);
    auto answer = send_raw(api.port(), request);
    CHECK(answer.status == 400);
    CHECK(answer.reason == reason);
    CHECK(answer.closed);
  }
  api.on_io([&] { CHECK(api.server().context().metrics.http_bad_requests == cases.size()); });
  CHECK(wait_until_on(api, [&] { return api.server().context().limits->open() == 0; }));
  // A well-formed chunked body still works.
  auto chunked = send_raw(api.port(), kPost + kKey +
                                          "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                          "6\r\n[true]\r\n0\r\n\r\n");
  CHECK(chunked.status == 200);
}

TEST_CASE("an upgrade with a missing, empty, non-base64 or wrong-length key gets 400") {
  ApiFixture api;
  const std::string upgrade =
      "GET /control/websocket?api-key=" + std::string(kAdminKey) +
      " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Version: 13\r\n";
  for (std::string key_header :
       {"", "Sec-WebSocket-Key: \r\n", "Sec-WebSocket-Key: !!!!notbase64!!!!!!!!!==\r\n",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\r\n",        // no padding
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==dGhl\r\n",  // too long
        "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\n",              // 10 bytes
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key: "
        "dGhlIHNhbXBsZSBub25jZQ==\r\n"}) {  // twice
    INFO(key_header);
    auto answer = send_raw(api.port(), upgrade + key_header + "\r\n");
    CHECK(answer.status == 400);
    CHECK(answer.reason ==
          "malformed WebSocket handshake: Sec-WebSocket-Key must be one base64 value of 16 bytes "
          "(RFC 6455)");
  }
  // The RFC's own example key is accepted.
  auto ok =
      raw_exchange(api.port(), upgrade + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
                   std::chrono::milliseconds(500));
  CHECK(ok.received.rfind("HTTP/1.1 101", 0) == 0);
  CHECK(ok.received.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") !=
        std::string::npos);
}
