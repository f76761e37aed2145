// Limits that protect the box and the other panels: a client that stops reading is coalesced,
// bounded and closed without delaying anyone; an oversize frame closes with 1009; past the
// connection limit upgrades get 503; silent peers are pinged and dropped.
#include "tests/support/wait.hpp"
#include "tests/uplink/api_fixture.hpp"
#include "uplink/http/api_context.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace roomd;
using namespace roomd::test;
using namespace std::chrono_literals;

namespace {

Json bind(int id, const char* name) {
  return {{"id", id}, {"cmd", "bind"}, {"sys", "sys-1"}, {"mod", "Display"}, {"name", name}};
}

}  // namespace

TEST_CASE("a client that stops reading is coalesced, bounded and closed, and others keep up") {
  ApiOptions options;
  options.max_queue_bytes = 256 * 1024;
  options.max_queue_age = 300ms;
  ApiFixture api(options);
  WsClient slow(api.port(), "/control/websocket?api-key=" + std::string(kAdminKey), {}, 4096);
  auto fast = WsClient::with_key(api.port(), kAdminKey);
  for (auto* client : {&slow, &fast}) {
    REQUIRE(client->request(bind(1, "big"))["type"] == "success");
    REQUIRE(client->request(bind(2, "counter"))["type"] == "success");
  }
  // The slow client reads nothing from here on. Big values fill its socket buffers, after
  // which its queue backs up.
  std::size_t max_queued = 0;
  bool slow_closed = false;
  for (int i = 0; i < 400 && !slow_closed; ++i) {
    api.on_io([&] {
      api.runtime().state().set(
          "mod-a", "big",
          std::string(32 * 1024, static_cast<char>('a' + i % 26)) + std::to_string(i));
      api.runtime().state().set("mod-a", "counter", i);
      slow_closed = api.server().context().metrics.slow_closed > 0;
      max_queued = std::max(max_queued, api.server().queued_bytes());
    });
    // The fast client sees every counter value promptly (it reads as they come).
    for (;;) {
      auto m = fast.read_json(2s);
      if (m["meta"]["name"] == "counter") {
        CHECK(m["value"] == i);
        break;
      }
    }
  }
  REQUIRE(wait_until_on(api, [&] { return api.server().context().metrics.slow_closed == 1; }));
  REQUIRE(wait_until_on(api, [&] { return api.server().open_sessions() == 1; }));
  api.on_io([&] { CHECK(api.server().context().metrics.notifies_coalesced > 0); });
  // Bounded: never more than the limit plus the message that crossed it.
  CHECK(max_queued <= options.max_queue_bytes + 40 * 1024);
  // The fast client is unaffected.
  CHECK(fast.request(bind(3, "power"))["type"] == "success");
  // The slow client eventually sees the end of its connection.
  bool ended = false;
  for (int i = 0; i < 10000 && !ended; ++i) {
    try {
      slow.read(2s);
    } catch (const beast::system_error&) {
      ended = true;
    }
  }
  CHECK(ended);
}

TEST_CASE("a queue over its byte bound closes from inside the notify fan-out, safely") {
  ApiOptions options;
  options.max_queue_bytes = 16 * 1024;
  ApiFixture api(options);
  WsClient slow(api.port(), "/control/websocket?api-key=" + std::string(kAdminKey), {}, 4096);
  // The slow client is the only subscriber of each of these variables, so closing it from
  // inside a notify empties (and removes) the topic being published.
  for (int i = 0; i < 40; ++i) {
    Json request = {{"id", i},
                    {"cmd", "bind"},
                    {"sys", "sys-1"},
                    {"mod", "Display"},
                    {"name", "v" + std::to_string(i)}};
    REQUIRE(slow.request(request)["type"] == "success");
  }
  auto fast = WsClient::with_key(api.port(), kAdminKey);
  REQUIRE(fast.request(bind(100, "v0"))["type"] == "success");
  for (int round = 0; round < 50; ++round) {
    api.on_io([&] {
      for (int i = 0; i < 40; ++i)
        api.runtime().state().set("mod-a", "v" + std::to_string(i),
                                  std::string(4096, 'x') + std::to_string(round));
    });
  }
  REQUIRE(wait_until_on(api, [&] { return api.server().context().metrics.slow_closed == 1; }));
  REQUIRE(wait_until_on(api, [&] { return api.server().open_sessions() == 1; }));
  // The hub still works for everyone else.
  api.set_status("mod-a", "v0", "after");
  for (;;) {
    auto m = fast.read_json();
    if (m["value"] == "after") break;
  }
  api.on_io([&] { CHECK(api.server().context().hub.bindings() == 1); });
}

TEST_CASE("a quiet connection whose peer stopped reading is closed after max_queue_age") {
  ApiOptions options;
  options.max_queue_bytes = 64 << 20;  // the bound here is age, not size
  options.max_queue_age = 300ms;
  ApiFixture api(options);
  WsClient slow(api.port(), "/control/websocket?api-key=" + std::string(kAdminKey), {}, 4096);
  REQUIRE(slow.request(bind(1, "big"))["type"] == "success");
  // One change, larger than every socket buffer on the way (sessions fix the kernel's send
  // buffer at 64 KiB, which Linux doubles), then silence: the session's queue is empty at
  // once, the bytes wait in the stream under it, and only their age can tell the client is
  // gone.
  api.set_status("mod-a", "big", std::string(2 << 20, 'x'));
  REQUIRE(wait_until_on(api, [&] { return api.server().context().metrics.slow_closed == 1; }));
  REQUIRE(wait_until_on(api, [&] { return api.server().open_sessions() == 0; }));
}

TEST_CASE("a frame over the limit closes the connection with 1009") {
  ApiOptions options;
  options.max_frame = 1024;
  ApiFixture api(options);
  auto client = WsClient::with_key(api.port(), kAdminKey);
  client.send(std::string(1025, ' '));
  CHECK_THROWS_AS(client.read(), beast::system_error);
  CHECK(client.close_code() == 1009);
  REQUIRE(wait_until_on(api, [&] { return api.server().open_sessions() == 0; }));
  // A frame at the limit is fine.
  auto other = WsClient::with_key(api.port(), kAdminKey);
  other.send(std::string(1020, ' ') + "[1]");
  CHECK(other.read_json()["code"] == 0);
}

TEST_CASE("past max_connections an upgrade gets 503") {
  ApiOptions options;
  options.max_connections = 2;
  ApiFixture api(options);
  auto a = WsClient::with_key(api.port(), kAdminKey);
  auto b = WsClient::with_key(api.port(), kAdminKey);
  REQUIRE(wait_until_on(api, [&] { return api.server().open_sessions() == 2; }));
  CHECK(upgrade_status(api.port(), "/control/websocket?api-key=" + std::string(kAdminKey)) == 503);
  a.stream().close(websocket::close_code::normal);
  REQUIRE(wait_until_on(api, [&] { return api.server().open_sessions() == 1; }));
  auto c = WsClient::with_key(api.port(), kAdminKey);
  CHECK(c.request(bind(1, "power"))["type"] == "success");
}

TEST_CASE("silent peers get WebSocket pings and are closed when they never answer") {
  ApiOptions options;
  options.idle_timeout = 400ms;
  ApiFixture api(options);
  auto listening = WsClient::with_key(api.port(), kAdminKey);
  bool pinged = false;
  listening.stream().control_callback([&](websocket::frame_type kind, beast::string_view) {
    pinged |= kind == websocket::frame_type::ping;
  });
  REQUIRE(listening.request(bind(1, "power"))["type"] == "success");
  // The client only reads (answering pings as it does); after several idle timeouts a status
  // change arrives on a connection that is still open.
  std::thread later([&] {
    std::this_thread::sleep_for(1500ms);
    api.set_status("mod-a", "power", true);
  });
  auto notify = listening.read_json(5s);
  later.join();
  CHECK(notify["value"] == true);
  CHECK(pinged);
  // Peers that neither read nor answer (both clients, from here on) are dropped.
  auto deaf = WsClient::with_key(api.port(), kAdminKey);
  REQUIRE(wait_until_on(
      api, [&] { return api.server().open_sessions() == 0; }, 5s));
}
