// The web panel as a browser gets it from `roomd run`: its files built in, served at / and
// /panel/ with their types, a strict Content-Security-Policy, nosniff and ETag revalidation.
#include "tests/uplink/api_fixture.hpp"
#include "uplink/http/panel_front_end.hpp"

#include <catch2/catch.hpp>

#include <regex>

using namespace roomd;
using namespace roomd::test;

namespace {

const PanelAsset& asset(std::string_view path) {
  for (const auto& a : panel_assets())
    if (a.path == path) return a;
  FAIL("the panel has no " << path);
  throw std::logic_error("unreachable");
}

void check_security_headers(const HttpResult& result) {
  const auto& policy = result.headers.at("content-security-policy");
  CHECK(policy.find("default-src 'none'") != std::string::npos);
  CHECK(policy.find("script-src 'self'") != std::string::npos);
  CHECK(policy.find("style-src 'self'") != std::string::npos);
  CHECK(policy.find("connect-src 'self'") != std::string::npos);
  CHECK(policy.find("unsafe") == std::string::npos);
  CHECK(result.headers.at("x-content-type-options") == "nosniff");
  CHECK(result.headers.at("cache-control") == "no-cache");
}

}  // namespace

TEST_CASE("the panel's index is served at / with a strict policy and an ETag", "[panel]") {
  ApiFixture api;
  auto index = http_call(api.port(), http::verb::get, "/");
  REQUIRE(index.status == 200);
  CHECK(index.content_type == "text/html; charset=utf-8");
  CHECK(index.body == asset("index.html").body);
  CHECK(index.body.find(R"(<script type="module" src="/panel/js/app.js">)") != std::string::npos);
  check_security_headers(index);
  CHECK(index.headers.at("etag") == asset("index.html").etag);
  CHECK(std::regex_match(index.headers.at("etag"), std::regex(R"("[0-9a-f]{20}")")));
  CHECK(http_call(api.port(), http::verb::get, "/index.html").body == index.body);

  // A browser that has it revalidates: 304, no body.
  auto again = http_call(api.port(), http::verb::get, "/", "",
                         {{"If-None-Match", index.headers.at("etag")}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(again.headers.at("etag") == index.headers.at("etag"));
  auto stale = http_call(api.port(), http::verb::get, "/", "", {{"If-None-Match", "\"old\""}});
  CHECK(stale.status == 200);
  CHECK(stale.body == index.body);
}

TEST_CASE("every panel file is served under /panel/ with its content type", "[panel]") {
  ApiFixture api;
  REQUIRE(panel_assets().size() >= 5);
  for (const auto& file : panel_assets()) {
    const std::string path(file.path);
    INFO(path);
    auto got = http_call(api.port(), http::verb::get, "/panel/" + path);
    CHECK(got.status == 200);
    CHECK(got.body == file.body);
    CHECK(got.content_type == PanelFrontEnd::content_type(path));
    check_security_headers(got);
  }
  CHECK(http_call(api.port(), http::verb::get, "/panel/js/app.js").content_type ==
        "text/javascript; charset=utf-8");
  CHECK(http_call(api.port(), http::verb::get, "/panel/panel.css").content_type ==
        "text/css; charset=utf-8");
}

TEST_CASE("HEAD of a panel file has its length and no body", "[panel]") {
  ApiFixture api;
  auto head = http_call(api.port(), http::verb::head, "/panel/js/app.js");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.headers.at("content-length") == std::to_string(asset("js/app.js").body.size()));
  CHECK(head.content_type == "text/javascript; charset=utf-8");
}

TEST_CASE("unknown panel files are 404, other methods 405, the API keeps its routes", "[panel]") {
  ApiFixture api;
  auto missing = http_call(api.port(), http::verb::get, "/panel/js/nope.js");
  CHECK(missing.status == 404);
  CHECK(missing.content_type == "text/plain; charset=utf-8");
  CHECK(missing.headers.at("x-content-type-options") == "nosniff");
  CHECK(missing.body.find("/panel/js/nope.js") != std::string::npos);
  CHECK(http_call(api.port(), http::verb::get, "/panel/").status == 404);
  CHECK(http_call(api.port(), http::verb::get, "/panel/../index.html").status == 404);

  auto post = http_call(api.port(), http::verb::post, "/", "{}");
  CHECK(post.status == 405);
  CHECK(post.headers.at("allow") == "GET, HEAD");

  auto other = http_call(api.port(), http::verb::get, "/favicon.txt");
  CHECK(other.status == 404);
  CHECK(other.json()["code"] == 1);
  CHECK(http_call(api.port(), http::verb::get, "/auth/authority").status == 200);
}

TEST_CASE("the panel's files need nothing from outside the box and no inline code", "[panel]") {
  CHECK(PanelFrontEnd::content_type("a.html") == "text/html; charset=utf-8");
  CHECK(PanelFrontEnd::content_type("js/x.js") == "text/javascript; charset=utf-8");
  CHECK(PanelFrontEnd::content_type("README") == "application/octet-stream");
  const std::regex external(R"((https?:)?//[a-z0-9.-]+\.[a-z]{2,})", std::regex::icase);
  const std::regex inline_script(R"(<script(?![^>]*\bsrc=)[^>]*>)", std::regex::icase);
  const std::regex inline_style(R"(<style\b|\sstyle=|\son[a-z]+=)", std::regex::icase);
  for (const auto& file : panel_assets()) {
    const std::string body(file.body);
    INFO(file.path);
    CHECK_FALSE(std::regex_search(body, external));
    if (file.path.ends_with(".html")) {
      CHECK_FALSE(std::regex_search(body, inline_script));
      CHECK_FALSE(std::regex_search(body, inline_style));
    }
  }
}
