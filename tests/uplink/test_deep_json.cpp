// Deeply nested JSON from a client is refused before anything recurses over it: over REST
// (under the 1 MiB body limit) and over the WebSocket (with api.max_frame raised to let it
// in), answered with an error, and the process stays up and keeps serving.
#include "tests/uplink/api_fixture.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;

namespace {

const std::string kBase = "/api/engine/v2/systems/sys-1/";

std::string deep_array(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

std::string deep_object(int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += "{\"a\":";
  return text + "1" + std::string(static_cast<std::size_t>(depth), '}');
}

}  // namespace

TEST_CASE("a REST exec whose body nests 70,000 deep gets 400 and roomd keeps serving") {
  ApiFixture api;
  for (const auto& body :
       {deep_array(70000), "{\"on\": " + deep_array(70000) + "}", deep_object(60000)}) {
    INFO(body.size() << " bytes");
    REQUIRE(body.size() < (1u << 20));
    auto answer = http_call(api.port(), http::verb::post, kBase + "Display_1/power", body,
                            {{"X-API-Key", kOperatorKey}});
    CHECK(answer.status == 400);
    CHECK(answer.json()["code"] == 1);
    CHECK(answer.json()["msg"] ==
          "the body must be a JSON array or object of arguments: nested deeper than 64 levels");
  }
  // Still up, still answering.
  auto ok = http_call(api.port(), http::verb::post, kBase + "Display_1/power", "[true]",
                      {{"X-API-Key", kOperatorKey}});
  CHECK(ok.status == 200);
  CHECK(ok.json() == true);
  // The log level body goes through the same parser.
  auto level = http_call(api.port(), http::verb::put, "/api/engine/v2/modules/mod-a/log_level",
                         "{\"level\": " + deep_array(70000) + "}", {{"X-API-Key", kAdminKey}});
  CHECK(level.status == 400);
}

TEST_CASE("a WebSocket request nesting 70,000 deep is error 0 and the connection lives on") {
  ApiOptions options;
  options.max_frame = 1 << 20;  // let the frame in: the parser must stand on its own
  ApiFixture api(options);
  auto client = WsClient::with_key(api.port(), kAdminKey);
  const std::string exec_prefix =
      R"({"id":5,"cmd":"exec","sys":"sys-1","mod":"Display","name":"power","args":)";
  for (const auto& text : {deep_array(70000), exec_prefix + deep_array(70000) + "}",
                           exec_prefix + "{\"on\":" + deep_array(70000) + "}}",
                           exec_prefix + deep_object(60000) + "}"}) {
    client.send(text);
    auto answer = client.read_json();
    CHECK(answer["type"] == "error");
    CHECK(answer["code"] == 0);
    CHECK(answer["id"].is_null());
    CHECK(answer["msg"] == "invalid JSON: nested deeper than 64 levels");
  }
  Json bind = {{"id", 6}, {"cmd", "bind"}, {"sys", "sys-1"}, {"mod", "Display"}, {"name", "x"}};
  CHECK(client.request(bind)["type"] == "success");
}
