// The query string of the REST history endpoint (`?since=&until=&limit=&sort=`) read into a
// history query, with an error that names the parameter and what it accepts.
#pragma once

#include "uplink/core/failure.hpp"
#include "uplink/core/history_json.hpp"

#include <cstddef>
#include <string_view>

namespace roomd::placeos {

// The newest 100 points unless the query says otherwise.
constexpr std::size_t kDefaultHistoryLimit = 100;

// `max_points` is the history's bound per variable, the largest limit that means anything.
Result<HistoryQuery> parse_history_query(std::string_view query, std::size_t max_points);

}  // namespace roomd::placeos
