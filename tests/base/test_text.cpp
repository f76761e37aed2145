// Excerpts bound what outside text can put into a log line or a message.
#include "base/text.hpp"

#include <catch2/catch.hpp>

using namespace roomd;

TEST_CASE("short text is quoted whole") {
  CHECK(excerpt("power") == "power");
  CHECK(excerpt(std::string(kExcerptBytes, 'a')) == std::string(kExcerptBytes, 'a'));
}

TEST_CASE("long text is cut and says how long it was") {
  const std::string long_text(65536, 'x');
  CHECK(excerpt(long_text) == std::string(kExcerptBytes, 'x') + "…(65536 bytes)");
  CHECK(excerpt("abcdef", 3) == "abc…(6 bytes)");
}

TEST_CASE("a cut never splits a UTF-8 character") {
  // "é" is two bytes: cutting after byte 2 would leave half of it.
  CHECK(excerpt("aé", 2) == "a…(3 bytes)");
  CHECK(excerpt("aéb", 3) == "aé…(4 bytes)");
}

TEST_CASE("JSON values are quoted as JSON, shortened the same way") {
  CHECK(json_excerpt(Json("hdmi1")) == "\"hdmi1\"");
  CHECK(json_excerpt(Json::array({1, 2})) == "[1,2]");
  CHECK(json_excerpt(Json(std::string(1000, 'z')), 10) == "\"zzzzzzzzz…(1002 bytes)");
}
