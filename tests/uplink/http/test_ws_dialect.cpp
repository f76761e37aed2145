// The shared WebSocket session under a dialect of the test's own: messages reach the
// handler, its answers go out in order, close_after closes with the handler's code once its
// last message went out, an endpoint that authenticates itself is upgraded without a valid key
// (under the connection limits), and a key learnt in-band is revoked by a reload.
#include "tests/uplink/api_fixture.hpp"

#include "uplink/http/api_context.hpp"
#include "uplink/http/front_end.hpp"
#include "uplink/http/ws_dialect.hpp"
#include "uplink/http/ws_session.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;

namespace {

// "who" answers the key the connection has; "key <id>" adopts a key in-band; "bye <code>"
// sends three messages, then closes with the code; anything else is echoed.
class EchoDialect final : public WsDialect {
 public:
  EchoDialect(const WsOpening& opening, std::shared_ptr<int> closes)
      : out_(opening.out),
        key_(opening.grant ? opening.grant->key_id : "none"),
        closes_(std::move(closes)) {}
  void on_text(std::string_view text) override {
    const std::string message(text);
    if (message == "who") return out_.send(key_);
    if (message.rfind("key ", 0) == 0) {
      key_ = message.substr(4);
      out_.set_key_id(key_);
      return out_.send("ok");
    }
    if (message.rfind("bye ", 0) == 0) {
      for (const char* last : {"one", "two", "three"}) out_.send(last);
      out_.close_after(static_cast<std::uint16_t>(std::stoi(message.substr(4))));
      out_.send("never");  // after close_after: dropped
      return;
    }
    out_.send("echo " + message);
  }
  void on_binary() override { out_.send("no binary"); }
  void close() override { ++*closes_; }

 private:
  WsOutput& out_;
  std::string key_;
  std::shared_ptr<int> closes_;
};

class EchoFrontEnd final : public FrontEnd {
 public:
  bool serves(std::string_view) const override { return false; }
  void handle(ApiContext&, const HttpRequest&, const Grant*, std::string, Executor,
              std::function<void(HttpResponse)>) override {}
  std::vector<std::string> websocket_paths() const override { return {"/echo", "/echo-keyed"}; }
  bool authenticates_itself(std::string_view path) const override { return path == "/echo"; }
  std::shared_ptr<LiveSession> upgrade(std::shared_ptr<ApiContext> api, ApiStream stream,
                                       ConnectionSlot slot, const Grant* grant,
                                       std::string peer) override {
    return std::make_shared<WsSession>(
        std::move(api), std::move(stream), std::move(slot), grant, std::move(peer),
        [closes = closes](const WsOpening& o) { return std::make_unique<EchoDialect>(o, closes); });
  }
  std::shared_ptr<int> closes = std::make_shared<int>(0);
};

struct EchoBox {
  explicit EchoBox(ApiOptions options = {}) : front_end(std::make_shared<EchoFrontEnd>()) {
    options.front_ends.push_back(front_end);
    api = std::make_unique<ApiFixture>(std::move(options));
  }
  std::shared_ptr<EchoFrontEnd> front_end;
  std::unique_ptr<ApiFixture> api;
};

}  // namespace

TEST_CASE("ws session: text and binary frames reach the dialect, answers go out in order") {
  EchoBox box;
  WsClient client(box.api->port(), "/echo-keyed", {{"X-API-Key", kViewerKey}});
  client.send("who");
  CHECK(client.read() == "viewer");
  client.send("hello");
  client.send("world");
  CHECK(client.read() == "echo hello");
  CHECK(client.read() == "echo world");
  client.send_binary("\x01");
  CHECK(client.read() == "no binary");
}

TEST_CASE("ws session: close_after closes with its code once the messages before went out") {
  EchoBox box;
  WsClient client(box.api->port(), "/echo");
  client.send("bye 4000");
  CHECK(client.read() == "one");
  CHECK(client.read() == "two");
  CHECK(client.read() == "three");
  CHECK_THROWS_AS(client.read(), beast::system_error);
  CHECK(client.close_code() == 4000);
  CHECK(wait_until_on(*box.api, [&] {
    return box.api->server().open_sessions() == 0 && *box.front_end->closes >= 1;
  }));
}

TEST_CASE("ws session: only an endpoint that authenticates itself is upgraded without a key") {
  EchoBox box;
  const auto port = box.api->port();
  CHECK(upgrade_status(port, "/echo") == 101);
  CHECK(upgrade_status(port, "/echo", {{"X-API-Key", "wrong"}}) == 101);
  CHECK(upgrade_status(port, "/echo-keyed") == 401);
  CHECK(upgrade_status(port, "/echo-keyed", {{"X-API-Key", "wrong"}}) == 401);
  CHECK(upgrade_status(port, "/api/engine/v2/systems/control") == 401);
  // A valid key still comes with the upgrade; a wrong one does not.
  WsClient keyed(port, "/echo", {{"X-API-Key", kOperatorKey}});
  keyed.send("who");
  CHECK(keyed.read() == "panel");
  WsClient wrong(port, "/echo", {{"X-API-Key", "wrong"}});
  wrong.send("who");
  CHECK(wrong.read() == "none");
}

TEST_CASE("ws session: connections without a key count against the connection limits") {
  ApiOptions options;
  options.max_connections_per_address = 1;
  EchoBox box(options);
  WsClient held(box.api->port(), "/echo");
  held.send("hello");
  CHECK(held.read() == "echo hello");
  CHECK(upgrade_status(box.api->port(), "/echo") == 503);
}

TEST_CASE("ws session: a key adopted in-band is revoked by a reload that removes it") {
  EchoBox box;
  auto& api = *box.api;
  WsClient client(api.port(), "/echo");
  WsClient keyless(api.port(), "/echo");
  client.send("key panel");
  CHECK(client.read() == "ok");
  auto keys = api.runtime().config().api.keys;
  std::erase_if(keys, [](const ApiKeyConfig& k) { return k.id == "panel"; });
  std::size_t revoked = 0;
  api.on_io([&] { revoked = api.server().replace_keys(keys); });
  CHECK(revoked == 1);
  CHECK_THROWS_AS(client.read(), beast::system_error);
  CHECK(client.close_code() == 1008);
  keyless.send("still here");
  CHECK(keyless.read() == "echo still here");
}
