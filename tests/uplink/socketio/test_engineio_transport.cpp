// Engine.IO v4 at /socket.io/ over a real socket: the handshake, long-polling with several
// packets to a payload, the protocol's errors, pings with their deadline, payload bounds, and
// the upgrade to WebSocket with no packet lost or repeated.
#include "tests/uplink/socketio/eio_client.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/socketio/das_front_end.hpp"

#include <catch2/catch.hpp>

#include <regex>

namespace roomd::test {
namespace {

using namespace std::chrono_literals;

// The packets of a polling answer, split at the record separator.
std::vector<std::string> packets_of(const std::string& body) {
  std::vector<std::string> packets;
  std::size_t start = 0;
  for (;;) {
    const auto end = body.find('\x1e', start);
    packets.push_back(body.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) return packets;
    start = end + 1;
  }
}

// The DAS message in a `42["message", {...}]` packet.
Json message_of(const std::string& packet) {
  REQUIRE(packet.rfind(R"(42["message",)", 0) == 0);
  return Json::parse(packet.substr(2)).at(1);
}

std::string das_packet(const Json& message) {
  return "42" + to_text(Json::array({"message", message}));
}

// A polling session connected to the main namespace.
std::string connected_session(std::uint16_t port) {
  const auto sid = eio_open(port).at("sid").get<std::string>();
  REQUIRE(eio_post(port, sid, "40").body == "ok");
  const auto connected = eio_get(port, eio_target(sid)).body;
  REQUIRE(std::regex_match(connected, std::regex(R"(40\{"sid":"[A-Za-z0-9_-]{20}"\})")));
  return sid;
}

// DAS messages from polling GETs until `enough` holds of them (each GET under a deadline).
std::vector<Json> poll_until(std::uint16_t port, const std::string& sid,
                             const std::function<bool(const std::vector<Json>&)>& enough) {
  std::vector<Json> messages;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!enough(messages)) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    const auto answer = eio_get(port, eio_target(sid));
    REQUIRE(answer.status == 200);
    for (const auto& packet : packets_of(answer.body)) {
      if (packet == "2") {
        eio_post(port, sid, "3");
        continue;
      }
      if (packet == "6") continue;
      messages.push_back(message_of(packet));
    }
  }
  return messages;
}

// A polling session whose DAS client authorized with the operator key.
std::string authorized_session(std::uint16_t port) {
  const auto sid = connected_session(port);
  REQUIRE(eio_post(port, sid,
                   das_packet({{"type", "authorization"},
                               {"Authorization", std::string("Bearer ") + kOperatorKey},
                               {"id", 1}}))
              .body == "ok");
  REQUIRE(message_of(eio_get(port, eio_target(sid)).body).at("status").at("code") == 200);
  return sid;
}

std::string metric(std::uint16_t port, const std::string& name) {
  auto body = http_call(port, http::verb::get, "/metrics", "",
                        {{"Authorization", std::string("Bearer ") + kAdminKey}})
                  .body;
  std::smatch match;
  if (!std::regex_search(body, match, std::regex("\n" + name + " ([0-9.]+)\n"))) return "";
  return match[1];
}

DasFrontEnd& das_of(ApiFixture& api) {
  for (auto& front_end : api.server().context().front_ends)
    if (auto* das = dynamic_cast<DasFrontEnd*>(front_end.get())) return *das;
  throw std::logic_error("no DAS front-end mounted");
}

TEST_CASE("socket.io: a polling handshake opens a session with the protocol's open packet",
          "[socketio]") {
  ApiFixture api;
  const auto answer = eio_get(api.port(), eio_target());
  CHECK(answer.status == 200);
  CHECK(answer.content_type == "text/plain; charset=UTF-8");
  REQUIRE(answer.body.rfind("0{", 0) == 0);
  const auto open = Json::parse(answer.body.substr(1));
  CHECK(std::regex_match(open.at("sid").get<std::string>(), std::regex("[A-Za-z0-9_-]{20}")));
  CHECK(open.at("upgrades") == Json::array({"websocket"}));
  CHECK(open.at("pingInterval") == 25000);
  CHECK(open.at("pingTimeout") == 20000);
  CHECK(open.at("maxPayload") == 1000000);
  CHECK(open.size() == 5);
  const auto other = eio_open(api.port());
  CHECK(other.at("sid") != open.at("sid"));
  CHECK(metric(api.port(), "roomd_socketio_sessions") == "2");
  // The path without its trailing slash is the same endpoint.
  CHECK(eio_get(api.port(), "/socket.io?EIO=4&transport=polling").body.rfind("0{", 0) == 0);
}

TEST_CASE("socket.io: bad handshakes and unknown sessions get the protocol's errors",
          "[socketio]") {
  ApiFixture api;
  const auto port = api.port();
  const auto error = [](const EioAnswer& answer, int code, const char* message) {
    CHECK(answer.status == 400);
    CHECK(Json::parse(answer.body) == Json{{"code", code}, {"message", message}});
  };
  error(eio_get(port, "/socket.io/?EIO=3&transport=polling"), 5, "Unsupported protocol version");
  error(eio_get(port, "/socket.io/?transport=polling"), 5, "Unsupported protocol version");
  error(eio_get(port, "/socket.io/?EIO=4&transport=flashsocket"), 0, "Transport unknown");
  error(PendingRequest(port, http::verb::post, eio_target(), "40").wait(), 2,
        "Bad handshake method");
  error(eio_get(port, eio_target("", "websocket")), 3, "Bad request");
  error(eio_get(port, eio_target("AAAAAAAAAAAAAAAAAAAA")), 1, "Session ID unknown");
  error(eio_post(port, "AAAAAAAAAAAAAAAAAAAA", "40"), 1, "Session ID unknown");
  // The WebSocket handshake is refused the same way, before any upgrade.
  CHECK(upgrade_status(port, eio_target("AAAAAAAAAAAAAAAAAAAA", "websocket")) == 400);
  CHECK(upgrade_status(port, "/socket.io/?EIO=3&transport=websocket") == 400);
  CHECK(upgrade_status(port, eio_target("", "polling")) == 400);
  CHECK(metric(port, "roomd_socketio_sessions") == "0");
}

TEST_CASE("socket.io: packets travel by long-polling - several to a payload", "[socketio]") {
  ApiFixture api;
  const auto port = api.port();
  const auto sid = connected_session(port);
  // Nothing to send: the GET is held until there is.
  PendingRequest held(port, http::verb::get, eio_target(sid));
  CHECK_FALSE(held.answered_within(300ms));
  const auto posted = eio_post(port, sid,
                               das_packet({{"type", "authorization"},
                                           {"Authorization", std::string("Bearer ") + kOperatorKey},
                                           {"id", 1}}) +
                                   "\x1e" + das_packet({{"type", "bogus"}, {"id", 2}}));
  CHECK(posted.status == 200);
  CHECK(posted.content_type == "text/html");
  CHECK(posted.body == "ok");
  // Both answers were queued by the one POST: the held GET carries both.
  std::vector<Json> messages;
  for (const auto& packet : packets_of(held.wait().body)) messages.push_back(message_of(packet));
  REQUIRE(messages.size() == 2);
  CHECK(messages[0] == Json{{"type", "resp_authorization"},
                            {"resp_id", 1},
                            {"status", {{"code", 200}, {"message", "OK"}}}});
  CHECK(messages[1].at("type") == "resp_error");
  CHECK(messages[1].at("status").at("code") == 400);
}

TEST_CASE("socket.io: one GET answers every packet queued - joined by the separator",
          "[socketio]") {
  ApiFixture api;
  const auto port = api.port();
  const auto sid = authorized_session(port);
  std::string body;
  for (int id = 1; id <= 3; ++id) {
    if (!body.empty()) body += '\x1e';
    body += das_packet({{"type", "nonsense"}, {"id", id}});
  }
  REQUIRE(eio_post(port, sid, body).body == "ok");
  // The three answers were queued by the POST itself, before this GET.
  const auto answer = eio_get(port, eio_target(sid));
  const auto packets = packets_of(answer.body);
  REQUIRE(packets.size() == 3);
  for (int id = 1; id <= 3; ++id) CHECK(message_of(packets[id - 1]).at("resp_id") == id);
}

TEST_CASE("socket.io: a payload over maxPayload gets 413 and ends the session", "[socketio]") {
  ApiOptions options;
  options.das.max_payload = 2048;
  ApiFixture api(options);
  const auto port = api.port();
  const auto sid = connected_session(port);
  const auto refused = eio_post(port, sid, "4" + std::string(2048, 'x'));
  CHECK(refused.status == 413);
  CHECK(Json::parse(refused.body).at("code") == 3);
  CHECK(Json::parse(eio_get(port, eio_target(sid)).body).at("code") == 1);
  // On a WebSocket, a message over it closes the connection with 1009.
  DasWs ws(port);
  CHECK(ws.open().at("maxPayload") == 2048);
  ws.ws().send("4" + std::string(2048, 'x'));
  CHECK_THROWS(ws.raw(2s));
  CHECK(ws.ws().close_code() == 1009);
  CHECK(wait_until_on(api, [&] { return das_of(api).sessions() == 0; }));
}

TEST_CASE("socket.io: malformed payloads and overlapping GETs end the session - nothing else",
          "[socketio]") {
  ApiFixture api;
  const auto port = api.port();
  for (const std::string& bad : {std::string("9"),
                                 std::string("4a\x1e\x1e"
                                             "4b"),
                                 std::string("b!!!!")}) {
    const auto sid = connected_session(port);
    const auto refused = eio_post(port, sid, bad);
    CHECK(refused.status == 400);
    CHECK(Json::parse(refused.body) == Json{{"code", 3}, {"message", "Bad request"}});
    CHECK(Json::parse(eio_get(port, eio_target(sid)).body).at("code") == 1);
  }
  const auto sid = connected_session(port);
  PendingRequest first(port, http::verb::get, eio_target(sid));
  CHECK_FALSE(first.answered_within(200ms));
  const auto second = eio_get(port, eio_target(sid));
  CHECK(second.status == 400);
  CHECK(first.wait().body == "1");  // the held GET carries the close packet
  CHECK(Json::parse(eio_get(port, eio_target(sid)).body).at("code") == 1);
  // The server is still there for everyone else.
  CHECK(eio_open(port).contains("sid"));
}

TEST_CASE("socket.io: a disconnect over polling sends the messages then the close packet alone",
          "[socketio]") {
  ApiFixture api;
  const auto port = api.port();
  const auto sid = connected_session(port);
  REQUIRE(eio_post(
              port, sid,
              das_packet({{"type", "authorization"}, {"Authorization", "Bearer wrong"}, {"id", 1}}))
              .body == "ok");
  // A stock client drops what shares a payload with the close packet: it comes next, alone.
  const auto packets = packets_of(eio_get(port, eio_target(sid)).body);
  REQUIRE(packets.size() == 2);
  CHECK(message_of(packets[0]).at("status").at("code") == 401);
  CHECK(packets[1] == "41");
  CHECK(eio_get(port, eio_target(sid)).body == "1");
  CHECK(Json::parse(eio_get(port, eio_target(sid)).body).at("code") == 1);
}

TEST_CASE("socket.io: the server pings and a client that stops answering is closed and freed",
          "[socketio]") {
  ApiOptions options;
  options.das.ping_interval = 200ms;
  options.das.ping_timeout = 300ms;
  ApiFixture api(options);
  const auto port = api.port();
  const auto sid = connected_session(port);
  REQUIRE(eio_post(port, sid,
                   das_packet({{"type", "authorization"},
                               {"Authorization", std::string("Bearer ") + kOperatorKey},
                               {"id", 1}}) +
                       "\x1e" + das_packet({{"type", "subscribe"}, {"id", 2}}))
              .body == "ok");
  poll_until(port, sid, [](const auto& m) {
    return std::any_of(m.begin(), m.end(),
                       [](const Json& j) { return j.at("type") == "resp_subscribe"; });
  });
  // Three pings in a row, each answered: the session lives past several ping timeouts.
  for (int i = 0; i < 3; ++i) {
    const auto ping = eio_get(port, eio_target(sid));
    CHECK(ping.body == "2");
    CHECK(eio_post(port, sid, "3").body == "ok");
  }
  CHECK(wait_until_on(api, [&] { return das_of(api).watchers() == 1; }));
  // Silence: closed after the next ping's timeout, its subscription let go.
  CHECK(wait_until_on(
      api, [&] { return das_of(api).sessions() == 0; }, 3s));
  CHECK(wait_until_on(api, [&] { return das_of(api).watchers() == 0; }));
  CHECK(Json::parse(eio_get(port, eio_target(sid)).body).at("code") == 1);
  CHECK(metric(port, "roomd_socketio_sessions") == "0");
}

// Reads WebSocket packets until `enough` holds of the DAS messages among them; pings answered.
std::vector<Json> ws_until(WsClient& ws,
                           const std::function<bool(const std::vector<Json>&)>& enough) {
  std::vector<Json> messages;
  while (!enough(messages)) {
    const auto packet = ws.read(5s);
    if (packet == "2") {
      ws.send("3");
      continue;
    }
    messages.push_back(message_of(packet));
  }
  return messages;
}

std::vector<int> volumes(const std::vector<Json>& messages) {
  std::vector<int> seen;
  for (const auto& m : messages)
    if (m.at("type") == "subject_update" && m.at("data").at("id") == "mod-a" &&
        m.at("data").at("changed") == Json::array({"volume"}))
      seen.push_back(m.at("data").at("status").at("volume").get<int>());
  return seen;
}

TEST_CASE("socket.io: the upgrade to WebSocket loses and repeats nothing", "[socketio]") {
  ApiFixture api;
  const auto port = api.port();
  const auto sid = connected_session(port);
  eio_post(port, sid,
           das_packet({{"type", "authorization"},
                       {"Authorization", std::string("Bearer ") + kOperatorKey},
                       {"id", 1}}) +
               "\x1e" + das_packet({{"type", "subscribe"}, {"id", 2}, {"systems", {"sys-1"}}}));
  // The answers, then a snapshot of each of sys-1's three modules.
  poll_until(port, sid, [](const auto& m) { return m.size() >= 5; });

  PendingRequest held(port, http::verb::get, eio_target(sid));
  CHECK_FALSE(held.answered_within(100ms));
  WsClient ws(port, eio_target(sid, "websocket"));
  ws.send("2probe");
  CHECK(ws.read() == "3probe");
  CHECK(held.wait().body == "6");  // the client may finish its polling cycle

  // Changes while the client still polls go by polling...
  api.set_status("mod-a", "volume", 1);
  api.set_status("mod-a", "volume", 2);
  auto polled = poll_until(port, sid, [](const auto& m) { return volumes(m).size() >= 2; });
  // ...those after it paused wait for the WebSocket, and arrive there once the upgrade is done.
  api.set_status("mod-a", "volume", 3);
  api.set_status("mod-a", "volume", 4);
  ws.send("5");
  api.set_status("mod-a", "volume", 5);
  auto upgraded = ws_until(ws, [](const auto& m) { return volumes(m).size() >= 3; });
  CHECK(volumes(polled) == std::vector<int>{1, 2});
  CHECK(volumes(upgraded) == std::vector<int>{3, 4, 5});
  // Polling is over for this session; the WebSocket carries requests both ways now.
  CHECK(Json::parse(eio_get(port, eio_target(sid)).body).at("code") == 3);
  ws.send(das_packet({{"type", "nonsense"}, {"id", 9}}));
  CHECK(ws_until(ws, [](const auto& m) { return !m.empty(); }).at(0).at("resp_id") == 9);
}

TEST_CASE("socket.io: a probe that breaks the protocol leaves the session on polling",
          "[socketio]") {
  ApiFixture api;
  const auto port = api.port();
  const auto sid = authorized_session(port);
  {
    WsClient ws(port, eio_target(sid, "websocket"));
    ws.send("5");  // no probe first
    CHECK_THROWS(ws.read(2s));
    CHECK(ws.close_code() == 1008);
  }
  REQUIRE(eio_post(port, sid, das_packet({{"type", "nonsense"}, {"id", 4}})).body == "ok");
  const auto answer = eio_get(port, eio_target(sid));
  CHECK(message_of(answer.body).at("resp_id") == 4);
}

TEST_CASE("socket.io: a WebSocket opened straight at the path is a session of its own",
          "[socketio]") {
  ApiFixture api;
  DasWs das(api.port());
  CHECK(das.open().at("upgrades") == Json::array());
  das.authorize(kOperatorKey);
  CHECK(das.open().at("pingInterval") == 25000);
  // Another namespace is refused as a stock server refuses it.
  das.ws().send("40/admin,");
  CHECK(das.raw() == R"(44/admin,{"message":"Invalid namespace"})");
  // An emit with an acknowledgement gets it, then the answer.
  das.ws().send(R"(421["message",{"type":"nonsense","id":7}])");
  CHECK(das.raw() == "431[]");
  CHECK(das.next().at("resp_id") == 7);
  // Binary and malformed packets get DAS's error; the connection stays.
  das.ws().send_binary(std::string("\x01\x02", 2));
  auto refused = das.next();
  CHECK(refused.at("type") == "resp_error");
  CHECK(refused.at("status").at("code") == 400);
  CHECK_THAT(refused.at("status").at("message").get<std::string>(), Catch::Contains("binary"));
  das.ws().send(R"(451-["message",{"_placeholder":true,"num":0}])");
  CHECK_THAT(das.next().at("status").at("message").get<std::string>(),
             Catch::Contains("binary Socket.IO packets"));
  das.ws().send(R"(42["message",{"type":)");
  CHECK_THAT(das.next().at("status").at("message").get<std::string>(),
             Catch::Contains("not valid JSON"));
  das.ws().send("42[]");
  CHECK(das.next().at("status").at("code") == 400);
  das.ws().send("x");  // not an Engine.IO packet: the session ends
  CHECK_THROWS(das.raw(2s));
  CHECK(wait_until_on(api, [&] { return das_of(api).sessions() == 0; }));
}

TEST_CASE("socket.io: stopping roomd answers a held GET with the close packet", "[socketio]") {
  ApiFixture api;
  const auto sid = connected_session(api.port());
  PendingRequest held(api.port(), http::verb::get, eio_target(sid));
  CHECK_FALSE(held.answered_within(100ms));
  api.on_io([&] { api.server().stop(); });
  CHECK(held.wait().body == "1");
}

TEST_CASE("socket.io: a connect with an auth payload is accepted", "[socketio]") {
  ApiFixture api;
  const auto port = api.port();
  const auto sid = eio_open(port).at("sid").get<std::string>();
  REQUIRE(eio_post(port, sid, R"(40{"token":"whatever"})").body == "ok");
  CHECK(std::regex_match(eio_get(port, eio_target(sid)).body,
                         std::regex(R"(40\{"sid":"[A-Za-z0-9_-]{20}"\})")));
}

TEST_CASE("socket.io: sessions are bounded per client address", "[socketio]") {
  ApiOptions options;
  options.max_connections_per_address = 6;
  ApiFixture api(options);
  const auto port = api.port();
  for (int i = 0; i < 6; ++i) eio_open(port);
  // Every handshake's connection is closed by now: only sessions are counted below.
  REQUIRE(wait_until_on(api, [&] { return api.server().context().limits->open() == 0; }));
  const auto refused = eio_get(port, eio_target());
  CHECK(refused.status == 503);
  CHECK(Json::parse(refused.body) == Json{{"code", 4}, {"message", "Forbidden"}});
  CHECK(upgrade_status(port, eio_target("", "websocket")) == 101);  // then closed with 1013
  CHECK(das_of(api).sessions() == 6);
}

TEST_CASE("socket.io: any origin may poll and the preflight is answered", "[socketio]") {
  ApiFixture api;
  const auto port = api.port();
  const auto open =
      http_call(port, http::verb::get, eio_target(), "", {{"Origin", "http://panel.example"}});
  CHECK(open.status == 200);
  CHECK(open.headers.at("access-control-allow-origin") == "*");
  const auto same_origin = http_call(port, http::verb::get, eio_target());
  CHECK(same_origin.headers.count("access-control-allow-origin") == 0);
  const auto preflight = http_call(port, http::verb::options, eio_target(), "",
                                   {{"Origin", "http://panel.example"},
                                    {"Access-Control-Request-Method", "POST"},
                                    {"Access-Control-Request-Headers", "x-room"}});
  CHECK(preflight.status == 204);
  CHECK(preflight.headers.at("access-control-allow-origin") == "*");
  CHECK(preflight.headers.at("access-control-allow-methods") == "GET, POST");
  CHECK(preflight.headers.at("access-control-allow-headers") == "x-room");
}

TEST_CASE("socket.io: a disconnected polling client that never collects is not waited for",
          "[socketio]") {
  ApiOptions options;
  options.das.auth_window = 300ms;
  options.das.ping_timeout = 300ms;  // the grace for the close packet; pings are 25 s apart
  ApiFixture api(options);
  connected_session(api.port());
  CHECK(wait_until_on(
      api, [&] { return das_of(api).sessions() == 0; }, 3s));
}

TEST_CASE("socket.io: a reload that removes the key closes its sessions", "[socketio]") {
  ApiFixture api;
  const auto port = api.port();
  const auto sid = authorized_session(port);
  DasWs ws(port);
  ws.authorize(kOperatorKey);
  std::size_t revoked = 0;
  api.on_io([&] {
    auto keys = api.server().context().key_configs;
    std::erase_if(keys, [](const ApiKeyConfig& key) { return key.id == "panel"; });
    revoked = api.server().replace_keys(keys);
  });
  CHECK(revoked == 2);
  // Nothing it sends is acted on any more; the close packet comes, then the session is gone.
  eio_post(port, sid, das_packet({{"type", "nonsense"}, {"id", 5}}));
  CHECK(eio_get(port, eio_target(sid)).body == "1");
  CHECK(Json::parse(eio_get(port, eio_target(sid)).body).at("code") == 1);
  CHECK(ws.raw() == "1");
  CHECK_THROWS(ws.raw(2s));
}

}  // namespace
}  // namespace roomd::test
