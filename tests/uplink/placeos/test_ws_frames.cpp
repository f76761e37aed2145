// The session frames its own text messages (uplink/ws_frame.hpp) into the batching stream:
// every length encoding must reach a standard client intact, in order, batched or not.
#include "tests/uplink/api_fixture.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/corked_stream.hpp"
#include "uplink/http/ws_frame.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace roomd;
using namespace roomd::test;

namespace {

std::vector<int> header_bytes(std::uint64_t payload) {
  const auto header = text_frame_header(payload);
  return {header.bytes.begin(), header.bytes.begin() + static_cast<long>(header.size)};
}

Json bind_big() {
  return {{"id", 1}, {"cmd", "bind"}, {"sys", "sys-1"}, {"mod", "Display"}, {"name", "big"}};
}

}  // namespace

TEST_CASE("text frame headers use the shortest length encoding (RFC 6455 5.2)") {
  CHECK(header_bytes(0) == std::vector<int>{0x81, 0});
  CHECK(header_bytes(125) == std::vector<int>{0x81, 125});
  CHECK(header_bytes(126) == std::vector<int>{0x81, 126, 0x00, 0x7E});
  CHECK(header_bytes(65535) == std::vector<int>{0x81, 126, 0xFF, 0xFF});
  CHECK(header_bytes(65536) == std::vector<int>{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0});
  CHECK(header_bytes(0x0102030405ULL) == std::vector<int>{0x81, 127, 0, 0, 0, 1, 2, 3, 4, 5});
}

TEST_CASE("notifies of every frame size arrive whole and in order") {
  ApiFixture api;
  auto client = WsClient::with_key(api.port(), kAdminKey);
  REQUIRE(client.request(bind_big())["type"] == "success");
  // Message sizes either side of the 7-bit, 16-bit and 64-bit length encodings, one value
  // at a time.
  const std::vector<std::size_t> sizes = {1, 60, 126, 65400, 65600, 200000, 3};
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const std::string value(sizes[i], static_cast<char>('a' + i));
    api.on_io([&] { api.runtime().state().set("mod-a", "big", value); });
    const auto message = client.read_json();
    INFO("value of " << sizes[i] << " bytes");
    REQUIRE(message["type"] == "notify");
    CHECK(message["value"] == value);
  }
}

TEST_CASE("in a burst past the stream's high-water mark, later values are coalesced") {
  ApiFixture api;
  auto client = WsClient::with_key(api.port(), kAdminKey);
  REQUIRE(client.request(bind_big())["type"] == "success");
  // One turn of the event loop: the first four go straight into the stream, the fourth takes
  // its unsent bytes over the high-water mark, so the later values wait in the session's
  // queue, where only the newest of the binding survives.
  const std::vector<std::size_t> sizes = {1, 60, 126, CorkedStream::kHighWater, 70000, 200000, 3};
  api.on_io([&] {
    for (std::size_t i = 0; i < sizes.size(); ++i)
      api.runtime().state().set("mod-a", "big", std::string(sizes[i], static_cast<char>('a' + i)));
  });
  for (std::size_t i : {0, 1, 2, 3, 6}) {
    const auto message = client.read_json();
    INFO("value " << i);
    REQUIRE(message["type"] == "notify");
    CHECK(message["value"] == std::string(sizes[i], static_cast<char>('a' + i)));
  }
  api.on_io([&] { CHECK(api.server().context().metrics.notifies_coalesced == 2); });
  // Nothing else was queued, and requests are answered again: the stream is below its mark.
  const auto rest = client.drain();
  CHECK(rest.empty());
}

TEST_CASE("changes a moment apart on a busy connection all arrive, in order") {
  ApiFixture api;
  auto client = WsClient::with_key(api.port(), kAdminKey);
  REQUIRE(client.request(bind_big())["type"] == "success");
  // Each change in its own turn of the event loop, well within CorkedStream::kBusyInterval of
  // the one before: the stream holds them for a shared send, and the timer must send them.
  for (int i = 0; i < 200; ++i) api.on_io([&] { api.runtime().state().set("mod-a", "big", i); });
  for (int i = 0; i < 200; ++i) {
    const auto message = client.read_json();
    REQUIRE(message["type"] == "notify");
    REQUIRE(message["value"] == i);
  }
  CHECK(client.drain().empty());
}
