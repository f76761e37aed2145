// Parsing JSON that comes from outside the process (clients, the broker, devices, the config
// file) with a nesting limit, so that no later step that walks a value recursively (copy,
// compare, dump) can run out of stack on a hostile document.
#pragma once

#include "base/json.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace roomd {

// Far deeper than any request, setting or status value needs; shallow enough that recursion
// over a value costs a few kilobytes of stack.
constexpr int kMaxJsonDepth = 64;

struct JsonParseOptions {
  int max_depth = kMaxJsonDepth;
  bool comments = false;  // `//` and `/* */` (the config file)
  // A top-level member whose number text is kept as written (an id echoed verbatim, such as
  // 123456789012345678901234567890, which no double holds exactly).
  std::string_view raw_number_key;
};

struct JsonParseResult {
  Json value;              // discarded when parsing failed
  std::string error;       // empty on success; otherwise the reason, without any of the input
  std::size_t byte = 0;    // 1-based position of the error (0 when not known)
  std::string raw_number;  // the text of `raw_number_key`'s value when it was a non-integer
  explicit operator bool() const { return error.empty(); }
};

JsonParseResult parse_json(std::string_view text, const JsonParseOptions& options = {});

}  // namespace roomd
