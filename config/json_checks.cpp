#include "config/json_checks.hpp"

#include "base/units.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>

namespace roomd::validation {
namespace {

constexpr std::array<std::string_view, 6> kLogLevels = {"trace", "debug", "info",
                                                        "warn",  "error", "fatal"};

}  // namespace

std::string json_quote(std::string_view text) {
  return Json(text).dump();
}

// Scalars are echoed so the reader sees what the loader saw; containers only by type,
// since dumping a whole object into one message helps nobody.
std::string describe(const Json& value) {
  return value.is_structured() ? value.type_name() : value.dump();
}

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view word : words) out += (out.empty() ? "" : ", ") + std::string(word);
  return out;
}

void type_error(const Validator& v, std::string_view expected, const Json& value) {
  v.error("expected " + std::string(expected) + ", got " + value.type_name());
}
std::optional<std::string> as_string(const Json& value, const Validator& v) {
  if (!value.is_string()) {
    type_error(v, "a string", value);
    return std::nullopt;
  }
  auto text = value.get<std::string>();
  if (text.empty()) {
    v.error("must not be empty");
    return std::nullopt;
  }
  return text;
}

std::optional<bool> as_bool(const Json& value, const Validator& v) {
  if (!value.is_boolean()) {
    type_error(v, "a boolean", value);
    return std::nullopt;
  }
  return value.get<bool>();
}

std::optional<Json> as_object(const Json& value, const Validator& v) {
  if (!value.is_object()) {
    type_error(v, "an object", value);
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> as_existing_file(const Json& value, const Validator& v) {
  auto path = as_string(value, v);
  if (!path) return std::nullopt;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(*path, ec)) v.error("no such file: " + json_quote(*path));
  return path;
}

// 0 passes because it is how a file asks for the driver's default port (or an ephemeral
// local port); the message names the range a person actually means to write.
std::optional<std::uint16_t> as_port(const Json& value, const Validator& v) {
  if (!value.is_number()) {
    type_error(v, "an integer", value);
    return std::nullopt;
  }
  if (!value.is_number_unsigned() || value.get<std::uint64_t>() > 65535) {
    v.error("expected 1-65535, got " + value.dump());
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value.get<std::uint64_t>());
}

std::optional<Duration> as_duration(const Json& value, const Validator& v) {
  const auto* text = value.get_ptr<const std::string*>();
  auto duration = text != nullptr ? parse_duration(*text) : std::nullopt;
  if (!duration) {
    v.error("expected a duration such as \"500ms\" or \"10s\", got " + describe(value));
  }
  return duration;
}

std::optional<std::size_t> as_size_in(const Json& value, const Validator& v, std::uint64_t min,
                                      std::uint64_t max) {
  std::optional<std::uint64_t> size;
  if (const auto* text = value.get_ptr<const std::string*>()) size = parse_size(*text);
  if (value.is_number_unsigned()) size = value.get<std::uint64_t>();
  if (!size) {
    v.error("expected a size such as \"64KiB\" or \"1MiB\", got " + describe(value));
    return std::nullopt;
  }
  if (*size < min || *size > max) {
    v.error("expected " + std::to_string(min) + " to " + std::to_string(max) + " bytes, got " +
            std::to_string(*size));
    return std::nullopt;
  }
  return static_cast<std::size_t>(*size);
}

std::optional<std::string> as_choice(const Json& value, const Validator& v,
                                     std::span<const std::string_view> choices) {
  const auto* text = value.get_ptr<const std::string*>();
  if (text != nullptr && std::find(choices.begin(), choices.end(), *text) != choices.end()) {
    return *text;
  }
  v.error("expected one of " + join(choices) + ", got " + describe(value));
  return std::nullopt;
}

std::optional<LogLevel> as_log_level(const Json& value, const Validator& v) {
  const auto name = as_choice(value, v, kLogLevels);
  return name ? parse_log_level(*name) : std::nullopt;
}
// An integer in [min, max]; the message names the range, like ports do.
std::optional<int> as_int_in(const Json& value, const Validator& v, int min, int max) {
  if (!value.is_number()) {
    type_error(v, "an integer", value);
    return std::nullopt;
  }
  const bool in_range = value.is_number_integer() && value.get<std::int64_t>() >= min &&
                        value.get<std::int64_t>() <= max;
  if (!in_range) {
    v.error("expected " + std::to_string(min) + "-" + std::to_string(max) + ", got " +
            value.dump());
    return std::nullopt;
  }
  return static_cast<int>(value.get<std::int64_t>());
}
std::optional<int> as_at_least_one(const Json& value, const Validator& v) {
  if (!value.is_number()) {
    type_error(v, "an integer", value);
    return std::nullopt;
  }
  if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
      value.get<std::int64_t>() > 1000000) {
    v.error("expected an integer of at least 1, got " + value.dump());
    return std::nullopt;
  }
  return static_cast<int>(value.get<std::int64_t>());
}

std::optional<Duration> as_positive_duration(const Json& value, const Validator& v) {
  auto duration = as_duration(value, v);
  if (duration && duration->count() == 0) {
    v.error("must be more than 0ms");
    return std::nullopt;
  }
  return duration;
}

}  // namespace roomd::validation
