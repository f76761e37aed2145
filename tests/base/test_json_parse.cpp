// JSON from outside the process: parsed with a nesting limit, errors without the input.
#include "base/json_parse.hpp"

#include <catch2/catch.hpp>

using namespace roomd;

namespace {

std::string nested(int depth, char open, char close, const std::string& inner = "") {
  return std::string(static_cast<std::size_t>(depth), open) + inner +
         std::string(static_cast<std::size_t>(depth), close);
}

}  // namespace

TEST_CASE("values within the depth limit parse as usual") {
  auto parsed = parse_json(R"({"a": [1, 2.5, "x", null, true], "b": {}})");
  REQUIRE(parsed);
  CHECK(parsed.value == Json::parse(R"({"a": [1, 2.5, "x", null, true], "b": {}})"));
  auto deepest = parse_json(nested(kMaxJsonDepth, '[', ']'));
  REQUIRE(deepest);
  CHECK(deepest.value.is_array());
}

TEST_CASE("arrays and objects nested past the limit are refused, not walked") {
  for (const auto& text : {nested(kMaxJsonDepth + 1, '[', ']'), nested(70000, '[', ']'),
                           std::string(70000, '[') /* unterminated too */}) {
    auto parsed = parse_json(text);
    CHECK_FALSE(parsed);
    CHECK(parsed.error == "nested deeper than 64 levels");
    CHECK(parsed.value.is_discarded());
  }
  std::string objects;
  for (int i = 0; i < 60000; ++i) objects += "{\"a\":";
  objects += "1" + std::string(60000, '}');
  CHECK(parse_json(objects).error == "nested deeper than 64 levels");
  CHECK(parse_json(R"({"on": )" + nested(70000, '[', ']') + "}").error ==
        "nested deeper than 64 levels");
  CHECK_FALSE(parse_json(nested(5, '[', ']'), {.max_depth = 4}));
}

TEST_CASE("syntax errors give a position and a reason that quotes nothing of the input") {
  auto parsed = parse_json(R"({"key": "hunter2" tru})");
  CHECK_FALSE(parsed);
  CHECK(parsed.byte == 22);  // the last character read: the '}' after "tru"
  CHECK(parsed.error == "invalid literal; expected '}'");
  CHECK(parsed.error.find("hunter2") == std::string::npos);
  CHECK(parse_json("").error == "unexpected end of input; expected '[', '{', or a literal");
  // A number too large for a double is named, not quoted: it may be any length. (Found by the
  // openframe_request fuzz target: an error message that grew with the input.)
  const auto overflow = parse_json("[1" + std::string(400, '3') + "]");
  CHECK(overflow.error == "number overflow");
  // Nor does the library's wording, written by the client into its own input, bring any of it
  // along. (Found by the same target once the first fix cut at "parsing '".)
  const auto forged = parse_json("{\"" + std::string(300, 'T') + " parsing '111; expected " +
                                 std::string(300, 'x'));
  CHECK(forged.error == "invalid string: missing closing quote; expected string literal");
  CHECK(forged.error.size() < 100);
}

TEST_CASE("comments only when asked for") {
  CHECK_FALSE(parse_json("// c\n{}"));
  CHECK(parse_json("// c\n{} /* d */", {.comments = true}));
}

TEST_CASE("the text of a top-level number is kept when asked for") {
  auto big = parse_json(R"({"id": 123456789012345678901234567890, "x": {"id": 1.5}})",
                        {.raw_number_key = "id"});
  REQUIRE(big);
  CHECK(big.raw_number == "123456789012345678901234567890");
  auto decimal = parse_json(R"({"x": {"id": 2.50}, "id": 1.50})", {.raw_number_key = "id"});
  CHECK(decimal.raw_number == "1.50");
  // Nested members of the same name and other top-level members are not taken.
  CHECK(parse_json(R"({"x": {"id": 2.5}, "y": 3.5})", {.raw_number_key = "id"}).raw_number.empty());
  // Integers that fit 64 bits print back exactly; no raw text needed.
  CHECK(parse_json(R"({"id": 18446744073709551615})", {.raw_number_key = "id"}).raw_number.empty());
}
