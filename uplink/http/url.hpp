// The small pieces of URL and header parsing the API needs: a request target split into
// path and query, percent-decoding, and lookups in a query string or a Cookie header.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace roomd::url {

struct Target {
  std::string_view path;
  std::string_view query;  // without the '?'
};

Target split_target(std::string_view target);
// "%2F" decoded (and "+" as a space in query strings); a malformed escape is kept as it is.
std::string decode(std::string_view text, bool plus_is_space = true);
// The decoded value of `name` in "a=1&b=2"; nullopt when absent.
std::optional<std::string> query_param(std::string_view query, std::string_view name);
// Every decoded name=value pair of a query string, in order ("a" alone gives an empty value).
std::vector<std::pair<std::string, std::string>> query_params(std::string_view query);
// The value of cookie `name` in a Cookie header "a=1; b=2".
std::optional<std::string> cookie(std::string_view header, std::string_view name);
// "/a/b/c" -> {"a", "b", "c"}, each segment decoded.
std::vector<std::string> path_segments(std::string_view path);

}  // namespace roomd::url
