// Query strings, cookies and paths as browsers and proxies send them.
#include "uplink/http/url.hpp"

#include <catch2/catch.hpp>

using namespace roomd;

TEST_CASE("query parameters are found and decoded") {
  auto target = url::split_target("/control/websocket?fixed_device=true&api-key=a%2Bb+c");
  CHECK(target.path == "/control/websocket");
  CHECK(url::query_param(target.query, "api-key") == "a+b c");
  CHECK(url::query_param(target.query, "fixed_device") == "true");
  CHECK_FALSE(url::query_param(target.query, "bearer_token").has_value());
  CHECK(url::decode("%zz%4") == "%zz%4");  // malformed escapes stay as they are
}

TEST_CASE("cookies keep a literal plus and strip quotes") {
  CHECK(url::cookie("theme=dark; api-key=ab+c/d==", "api-key") == "ab+c/d==");
  CHECK(url::cookie("bearer_token=\"quoted\"", "bearer_token") == "quoted");
  CHECK_FALSE(url::cookie("xapi-key=1", "api-key").has_value());
}

TEST_CASE("path segments are split and decoded") {
  CHECK(url::path_segments("/api/engine/v2/systems/sys%2D1/Display_1") ==
        std::vector<std::string>{"api", "engine", "v2", "systems", "sys-1", "Display_1"});
  CHECK(url::path_segments("/a+b//c/") == std::vector<std::string>{"a+b", "c"});
}
