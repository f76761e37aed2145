// The JSON types a driver declares for its method parameters and settings ("boolean",
// "integer", "number", "string", "array", "object", "duration"), checked and named the same
// way for an exec's arguments and for the config's settings.
#pragma once

#include "base/json.hpp"

#include <string>
#include <string_view>

namespace roomd {

// Whether `value` is of type `type`; an integer may be written 2.0. An unknown type name
// accepts anything (a driver that declares "any").
bool json_is(std::string_view type, const Json& value);
// What a message says was expected: "a boolean", "an integer",
// "a duration such as \"500ms\" or \"10s\"".
std::string json_type_phrase(std::string_view type);

}  // namespace roomd
