#include "config/unknown_key.hpp"

#include "base/json.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace roomd::validation {
namespace {

constexpr std::size_t kMaxSuggestionDistance = 2;

// Optimal string alignment distance: a swapped pair ("trasnport") counts as one edit.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string unknown_key_message(std::string_view key, std::span<const std::string> known) {
  const std::string* best = nullptr;
  std::size_t best_distance = kMaxSuggestionDistance + 1;
  for (const std::string& candidate : known) {
    const std::size_t distance = edit_distance(key, candidate);
    if (distance >= best_distance) continue;
    best = &candidate;
    best_distance = distance;
  }
  // A one-letter key is within two edits of every short key; suggesting one would be noise.
  if (best == nullptr || best_distance >= key.size()) return "unknown key";
  return "unknown key (did you mean " + Json(*best).dump() + "?)";
}

}  // namespace roomd::validation
