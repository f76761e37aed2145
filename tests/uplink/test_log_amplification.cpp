// What a client sends can cost at most a short excerpt in a log line, and the warnings a
// client can provoke at will (401, 503, access denied, unknown commands) are written at most
// once per few seconds, however fast they come.
#include "tests/support/wait.hpp"
#include "tests/uplink/api_fixture.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;

namespace {

constexpr std::size_t kShortLine = 600;  // a log line, not a dump

std::size_t longest(const std::vector<LogRecorder::Line>& lines) {
  std::size_t n = 0;
  for (const auto& line : lines) n = std::max(n, line.message.size());
  return n;
}

}  // namespace

TEST_CASE("a failed exec with a 64 KiB argument logs a short line") {
  ApiOptions options;
  options.max_frame = 1 << 20;
  ApiFixture api(options);
  LogRecorder log(api.runtime(), LogLevel::info);
  auto client = WsClient::with_key(api.port(), kOperatorKey);
  const std::string huge(64 * 1024, 'x');
  auto answer = client.request({{"id", 1},
                                {"cmd", "exec"},
                                {"sys", "sys-1"},
                                {"mod", "Display"},
                                {"name", "power"},
                                {"args", {huge}}});
  CHECK(answer["code"] == 1);
  // The client's own answer quotes an excerpt too.
  CHECK(answer["msg"].get<std::string>().size() < kShortLine);
  CHECK_THAT(answer["msg"].get<std::string>(), Catch::Contains("(65538 bytes)"));
  // And over REST, with the method name itself long.
  auto rest = http_call(api.port(), http::verb::post,
                        "/api/engine/v2/systems/sys-1/Display_1/" + std::string(8000, 'm'), "[1]",
                        {{"X-API-Key", kOperatorKey}});
  CHECK(rest.status == 400);
  REQUIRE(wait_until([&] { return log.containing("failed").size() >= 2; }));
  CHECK(longest(log.containing("failed")) < kShortLine);
}

TEST_CASE("an unknown command of 64 KiB is one short warning") {
  ApiOptions options;
  options.max_frame = 1 << 20;
  ApiFixture api(options);
  LogRecorder log(api.runtime(), LogLevel::warn);
  auto client = WsClient::with_key(api.port(), kViewerKey);
  for (int i = 0; i < 20; ++i) {
    auto answer = client.request({{"id", i},
                                  {"cmd", std::string(64 * 1024, 'c')},
                                  {"sys", "sys-1"},
                                  {"mod", "Display"},
                                  {"name", "power"}});
    CHECK(answer["code"] == 4);
  }
  auto warnings = log.containing("suspicious client");
  CHECK(warnings.size() == 1);
  CHECK(longest(warnings) < kShortLine);
}

TEST_CASE("floods of 401s, 503s and denied requests are one warning per period each") {
  ApiOptions options;
  options.max_connections = 2;
  ApiFixture api(options);
  LogRecorder log(api.runtime(), LogLevel::warn);
  for (int i = 0; i < 50; ++i)
    CHECK(upgrade_status(api.port(), "/control/websocket?api-key=wrong-" + std::to_string(i)) ==
          401);
  auto first = WsClient::with_key(api.port(), kViewerKey);
  auto second = WsClient::with_key(api.port(), kViewerKey);
  for (int i = 0; i < 50; ++i)
    CHECK(upgrade_status(api.port(), "/control/websocket?api-key=" + std::string(kAdminKey)) ==
          503);
  for (int i = 0; i < 50; ++i) {
    auto answer = first.request({{"id", i},
                                 {"cmd", "exec"},
                                 {"sys", "sys-1"},
                                 {"mod", "Display"},
                                 {"name", "power"},
                                 {"args", {true}}});
    CHECK(answer["code"] == 2);
  }
  CHECK(log.containing("refused: unknown API key").size() == 1);
  CHECK(log.containing("refused with 503").size() == 1);
  CHECK(log.containing("access denied").size() == 1);
  // No key ever reaches the log, only its fingerprint.
  for (const auto& line : log.lines()) CHECK(line.message.find("wrong-") == std::string::npos);
}
