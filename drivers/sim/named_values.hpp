// An enum's values by name, for a simulator's choice options (--fault no_answer): the names
// declared as the option's choices and the value read back from the chosen name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace roomd::sim {

template <class E, std::size_t N>
std::vector<std::string> names_of(const std::pair<std::string_view, E> (&table)[N]) {
  std::vector<std::string> names;
  for (const auto& [name, _] : table) names.emplace_back(name);
  return names;
}

// The value named `name`; the table's first value when absent (the option's default).
template <class E, std::size_t N>
E value_of(const std::pair<std::string_view, E> (&table)[N], std::string_view name) {
  for (const auto& [entry, value] : table)
    if (entry == name) return value;
  return table[0].second;
}

}  // namespace roomd::sim
