#include "uplink/http/credentials.hpp"

#include "uplink/http/url.hpp"

namespace roomd {

std::optional<std::string> find_api_key(const http::request_header<>& request) {
  if (auto it = request.find("X-API-Key"); it != request.end() && !it->value().empty())
    return std::string(it->value());
  if (auto it = request.find(http::field::authorization); it != request.end()) {
    std::string_view value = it->value();
    constexpr std::string_view kBearer = "Bearer ";
    if (value.size() > kBearer.size() && beast::iequals(value.substr(0, kBearer.size()), kBearer)) {
      auto token = value.substr(kBearer.size());
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      if (!token.empty()) return std::string(token);
    }
  }
  const auto target = url::split_target(request.target());
  for (const char* name : {"api-key", "bearer_token"}) {
    if (auto value = url::query_param(target.query, name); value && !value->empty()) return value;
  }
  // Every Cookie header: clients and proxies may send several.
  auto [first, last] = request.equal_range(http::field::cookie);
  for (auto it = first; it != last; ++it) {
    for (const char* name : {"api-key", "bearer_token"}) {
      if (auto value = url::cookie(it->value(), name); value && !value->empty()) return value;
    }
  }
  return std::nullopt;
}

}  // namespace roomd
