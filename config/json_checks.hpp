// The config validation toolkit's value checks: each reads one JSON value as a typed field
// (string, port, duration, size, choice...) and returns it, or reports at the validator's
// path why it does not fit and returns nullopt. Messages echo scalars, never containers.
#pragma once

#include "base/asio.hpp"
#include "base/json.hpp"
#include "base/log_level.hpp"
#include "config/validator.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace roomd::validation {

std::string json_quote(std::string_view text);
// A scalar as written; a container by its type name.
std::string describe(const Json& value);
std::string join(std::span<const std::string_view> words);  // "a, b, c"
void type_error(const Validator& v, std::string_view expected, const Json& value);

std::optional<std::string> as_string(const Json& value, const Validator& v);  // not empty
// A file roomd must read at start: named now, so check-config catches a typo.
std::optional<std::string> as_existing_file(const Json& value, const Validator& v);
std::optional<bool> as_bool(const Json& value, const Validator& v);
std::optional<Json> as_object(const Json& value, const Validator& v);
// 0-65535; 0 asks for the default (or an ephemeral) port.
std::optional<std::uint16_t> as_port(const Json& value, const Validator& v);
std::optional<Duration> as_duration(const Json& value, const Validator& v);
std::optional<Duration> as_positive_duration(const Json& value, const Validator& v);
// A size such as "64KiB" (or a plain number of bytes) within [min, max].
std::optional<std::size_t> as_size_in(const Json& value, const Validator& v, std::uint64_t min,
                                      std::uint64_t max);
std::optional<std::string> as_choice(const Json& value, const Validator& v,
                                     std::span<const std::string_view> choices);
std::optional<LogLevel> as_log_level(const Json& value, const Validator& v);
std::optional<int> as_int_in(const Json& value, const Validator& v, int min, int max);
std::optional<int> as_at_least_one(const Json& value, const Validator& v);  // 1-1000000

}  // namespace roomd::validation
