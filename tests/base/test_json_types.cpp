// One check and one wording for the types of method arguments and driver settings.
#include "base/json_types.hpp"

#include <catch2/catch.hpp>

using namespace roomd;

TEST_CASE("values against declared types") {
  CHECK(json_is("boolean", Json(true)));
  CHECK_FALSE(json_is("boolean", Json(1)));
  CHECK(json_is("integer", Json(3)));
  CHECK(json_is("integer", Json(2.0)));  // JSON has one number type; 2.0 is an integer
  CHECK_FALSE(json_is("integer", Json(2.5)));
  CHECK_FALSE(json_is("integer", Json(1e300)));  // no 64-bit integer holds it
  CHECK_FALSE(json_is("integer", Json("3")));
  CHECK(json_is("number", Json(2.5)));
  CHECK(json_is("string", Json("x")));
  CHECK(json_is("duration", Json("500ms")));
  CHECK_FALSE(json_is("duration", Json("often")));
  CHECK(json_is("array", Json::array()));
  CHECK(json_is("object", Json::object()));
  CHECK(json_is("any", Json(nullptr)));
}

TEST_CASE("how an expected type is named") {
  CHECK(json_type_phrase("boolean") == "a boolean");
  CHECK(json_type_phrase("integer") == "an integer");
  CHECK(json_type_phrase("object") == "an object");
  CHECK(json_type_phrase("duration") == "a duration such as \"500ms\" or \"10s\"");
}
