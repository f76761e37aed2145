// Bounded quotes of text that came from outside (a client's field, a device's frame, a
// method's argument), for log lines and error messages: a megabyte of input must never
// become a megabyte of log.
#pragma once

#include "base/json.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace roomd {

// Enough to recognise a value; short enough that a line stays a line.
constexpr std::size_t kExcerptBytes = 80;
// For a whole message that may quote outside text (an exec error in a log line).
constexpr std::size_t kLogExcerptBytes = 300;

// `text` itself when it fits, otherwise its start (cut at a UTF-8 character boundary) and
// "…(N bytes)".
std::string excerpt(std::string_view text, std::size_t max = kExcerptBytes);
// The JSON text of `value`, shortened the same way.
std::string json_excerpt(const Json& value, std::size_t max = kExcerptBytes);

}  // namespace roomd
