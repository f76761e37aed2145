// Parsing one protocol request: which code each malformed input gets, and what a valid one
// yields (index defaults, numeric strings, positional or named args).
#include "uplink/placeos/request.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::placeos;

namespace {

RequestError error_of(std::string_view text) {
  auto parsed = parse_request(text);
  REQUIRE(std::holds_alternative<RequestError>(parsed));
  return std::get<RequestError>(parsed);
}

Request request_of(std::string_view text) {
  auto parsed = parse_request(text);
  if (auto* e = std::get_if<RequestError>(&parsed)) FAIL(e->message);
  return std::get<Request>(parsed);
}

}  // namespace

TEST_CASE("frames that are not JSON objects are parse errors with a null id") {
  for (auto text : {"{bad json", "[1,2]", "42", "\"bind\"", ""}) {
    INFO(text);
    auto e = error_of(text);
    CHECK(e.code == ErrorCode::parse_error);
    CHECK(e.id == "null");
  }
}

TEST_CASE("missing or mistyped fields are bad requests naming the field") {
  auto e = error_of(R"({"cmd":"bind","sys":"s","mod":"m","name":"n"})");
  CHECK(e.code == ErrorCode::bad_request);
  CHECK(e.id == "null");
  CHECK_THAT(e.message, Catch::Contains("\"id\""));

  e = error_of(R"({"id":[1],"cmd":"bind","sys":"s","mod":"m","name":"n"})");
  CHECK(e.code == ErrorCode::bad_request);

  e = error_of(R"({"id":"a1","sys":"s","mod":"m","name":"n"})");
  CHECK(e.code == ErrorCode::bad_request);
  CHECK(e.id == "\"a1\"");
  CHECK_THAT(e.message, Catch::Contains("cmd"));

  e = error_of(R"({"id":2,"cmd":"bind","mod":"m","name":"n"})");
  CHECK(e.code == ErrorCode::bad_request);
  CHECK(e.id == "2");
  CHECK_THAT(e.message, Catch::Contains("sys"));

  e = error_of(R"({"id":2,"cmd":"bind","sys":5,"mod":"m","name":"n"})");
  CHECK_THAT(e.message, Catch::Contains("\"sys\" must be a string"));

  e = error_of(R"({"id":2,"cmd":"exec","sys":"s","mod":"m"})");
  CHECK_THAT(e.message, Catch::Contains("name"));

  e = error_of(R"({"id":2,"cmd":"bind","sys":"s","mod":"m","name":"n","index":0})");
  CHECK_THAT(e.message, Catch::Contains("index"));
  e = error_of(R"({"id":2,"cmd":"bind","sys":"s","mod":"m","name":"n","index":"two"})");
  CHECK_THAT(e.message, Catch::Contains("index"));

  e = error_of(R"({"id":2,"cmd":"exec","sys":"s","mod":"m","name":"n","args":"x"})");
  CHECK_THAT(e.message, Catch::Contains("args"));
}

TEST_CASE("an unknown cmd is code 4") {
  auto e = error_of(R"({"id":9,"cmd":"reboot","sys":"s","mod":"m","name":"n"})");
  CHECK(e.code == ErrorCode::unknown_command);
  CHECK(e.id == "9");
}

TEST_CASE("valid requests: defaults, numeric-string index, args, extra fields ignored") {
  auto r = request_of(R"({"id":1,"cmd":"bind","sys":"s","mod":"Display","name":"power","x":1})");
  CHECK(r.cmd == Cmd::bind);
  CHECK(r.index == 1);
  CHECK(r.args == Json::array());

  r = request_of(
      R"({"id":"q","cmd":"exec","sys":"s","mod":"Display","index":"2","name":"volume","args":{"level":3}})");
  CHECK(r.index == 2);
  CHECK(r.id == "\"q\"");
  CHECK(r.args == Json{{"level", 3}});

  r = request_of(R"({"id":3,"cmd":"debug","sys":"s","mod":"Display","level":"trace"})");
  CHECK(r.cmd == Cmd::debug);
  CHECK(r.level == "trace");

  r = request_of(R"({"id":3,"cmd":"ignore","sys":"s","mod":"mod-a"})");
  CHECK(r.cmd == Cmd::ignore);
}

TEST_CASE("ids are kept as the client wrote them, even beyond 64-bit integers") {
  for (std::string id :
       {"123456789012345678901234567890", "-98765432109876543210", "1.50", "1e3",
        "18446744073709551615", "-9223372036854775808", "7", "\"abc\"", "\"\\u00e9\""}) {
    INFO(id);
    auto r = request_of(R"({"id":)" + id + R"(,"cmd":"bind","sys":"s","mod":"m","name":"n"})");
    const bool escaped = id == "\"\\u00e9\"";  // a string goes back as JSON text, not bytes
    CHECK(r.id == (escaped ? "\"\xc3\xa9\"" : id));
  }
  // Errors after the id was read echo it the same way.
  CHECK(error_of(R"({"id":123456789012345678901234567890,"cmd":"x"})").id ==
        "123456789012345678901234567890");
}

TEST_CASE("deeply nested JSON is a parse error, not a crash") {
  const std::string deep = std::string(70000, '[') + std::string(70000, ']');
  auto e = error_of(deep);
  CHECK(e.code == ErrorCode::parse_error);
  CHECK(e.message == "invalid JSON: nested deeper than 64 levels");
  e = error_of(R"({"id":1,"cmd":"exec","sys":"s","mod":"m","name":"n","args":{"on":)" +
               std::string(70000, '[') + std::string(70000, ']') + "}}");
  CHECK(e.code == ErrorCode::parse_error);
  CHECK(e.id == "null");
}

TEST_CASE("messages quote at most an excerpt of what the client sent") {
  const std::string long_cmd(64 * 1024, 'x');
  auto e = error_of(R"({"id":1,"cmd":")" + long_cmd + R"(","sys":"s","mod":"m","name":"n"})");
  CHECK(e.code == ErrorCode::unknown_command);
  CHECK(e.message.size() < 200);
  CHECK_THAT(e.message, Catch::Contains("(65538 bytes)"));
}
