#include "base/json_types.hpp"

#include "base/units.hpp"

#include <cmath>

namespace roomd {

namespace {

bool is_integral(const Json& value) {
  if (value.is_number_integer()) return true;
  if (!value.is_number_float()) return false;
  // Within the range of a 64-bit integer and without a fraction; converting first would be
  // undefined for 1e300.
  const double d = value.get<double>();
  return std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.2e18;
}

}  // namespace

bool json_is(std::string_view type, const Json& value) {
  if (type == "boolean") return value.is_boolean();
  if (type == "integer") return is_integral(value);
  if (type == "number") return value.is_number();
  if (type == "string") return value.is_string();
  if (type == "duration")
    return value.is_string() && parse_duration(value.get_ref<const std::string&>());
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  return true;
}

std::string json_type_phrase(std::string_view type) {
  if (type == "duration") return "a duration such as \"500ms\" or \"10s\"";
  const bool vowel =
      !type.empty() && std::string_view("aeiou").find(type[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(type);
}

}  // namespace roomd
