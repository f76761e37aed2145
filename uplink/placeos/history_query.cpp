#include "uplink/placeos/history_query.hpp"

#include "base/text.hpp"
#include "uplink/http/url.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace roomd::placeos {
namespace {

Failure bad(const std::string& message) {
  return {ErrorCode::bad_request, message};
}

std::optional<double> unix_seconds(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value) || value < 0) return std::nullopt;
  return value;
}

}  // namespace

Result<HistoryQuery> parse_history_query(std::string_view query, std::size_t max_points) {
  HistoryQuery out;
  out.limit = std::min(kDefaultHistoryLimit, max_points);
  for (const auto& [name, value] : url::query_params(query)) {
    if (name == "since" || name == "until") {
      auto seconds = unix_seconds(value);
      if (!seconds)
        return bad(name + ": expected Unix seconds, such as 1733400000 or 1733400000.25, got '" +
                   excerpt(value) + "'");
      (name == "since" ? out.since : out.until) = *seconds;
    } else if (name == "limit") {
      std::size_t limit = 0;
      const char* end = value.data() + value.size();
      auto [ptr, ec] = std::from_chars(value.data(), end, limit);
      if (ec != std::errc() || ptr != end || limit < 1 || limit > max_points)
        return bad("limit: expected a whole number from 1 to " + std::to_string(max_points) +
                   " (history.max_points), got '" + excerpt(value) + "'");
      out.limit = limit;
    } else if (name == "sort") {
      if (value != "asc" && value != "desc")
        return bad("sort: expected asc or desc, got '" + excerpt(value) + "'");
      out.ascending = value == "asc";
    } else {
      return bad("unknown parameter '" + excerpt(name) +
                 "'; the history takes since, until, limit and sort");
    }
  }
  if (out.since && out.until && *out.since > *out.until)
    return bad("since is after until: nothing can match");
  return out;
}

}  // namespace roomd::placeos
