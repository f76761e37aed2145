#include "uplink/http/url.hpp"

namespace roomd::url {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(key, value) for each `sep`-separated key=value pair until fn returns true.
template <class Fn>
bool for_each_pair(std::string_view text, char sep, Fn fn) {
  while (!text.empty()) {
    auto end = text.find(sep);
    auto pair = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    auto eq = pair.find('=');
    auto key = trim(pair.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::string_view() : trim(pair.substr(eq + 1));
    if (fn(key, value)) return true;
  }
  return false;
}

}  // namespace

Target split_target(std::string_view target) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::string decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  std::optional<std::string> found;
  for_each_pair(query, '&', [&](std::string_view key, std::string_view value) {
    if (decode(key) != name) return false;
    found = decode(value);
    return true;
  });
  return found;
}

std::vector<std::pair<std::string, std::string>> query_params(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  for_each_pair(query, '&', [&](std::string_view key, std::string_view value) {
    if (!key.empty()) params.emplace_back(decode(key), decode(value));
    return false;
  });
  return params;
}

std::optional<std::string> cookie(std::string_view header, std::string_view name) {
  std::optional<std::string> found;
  for_each_pair(header, ';', [&](std::string_view key, std::string_view value) {
    if (key != name) return false;
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    found = decode(value, false);  // '+' is a literal plus in a cookie (base64 keys)
    return true;
  });
  return found;
}

std::vector<std::string> path_segments(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto end = path.find('/');
    out.push_back(decode(path.substr(0, end), false));
    path = end == std::string_view::npos ? std::string_view() : path.substr(end);
  }
  return out;
}

}  // namespace roomd::url
