// The history as every dialect sees it: its points and queries (runtime/history.hpp), and a
// point written `[t, value]` with t in Unix seconds (with the change's fraction).
#pragma once

#include "base/json.hpp"
#include "runtime/history.hpp"

#include <vector>

namespace roomd {

inline Json history_point_json(const HistoryPoint& point) {
  return Json::array({point.t, point.value});
}

inline Json history_points_json(const std::vector<HistoryPoint>& points) {
  Json out = Json::array();
  for (const auto& point : points) out.push_back(history_point_json(point));
  return out;
}

}  // namespace roomd
