#include "uplink/core/module_address.hpp"

#include <charconv>

namespace roomd {

std::pair<std::string, int> split_module_name(std::string_view text) {
  auto underscore = text.rfind('_');
  if (underscore != std::string_view::npos && underscore + 1 < text.size()) {
    int index = 0;
    auto begin = text.data() + underscore + 1;
    auto end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(begin, end, index);
    if (ec == std::errc() && ptr == end && index >= 1)
      return {std::string(text.substr(0, underscore)), index};
  }
  return {std::string(text), 1};
}

std::optional<Alias> parse_alias(std::string_view text) {
  const auto first = text.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = text.find('/', first + 1);
  if (second == std::string_view::npos || text.find('/', second + 1) != std::string_view::npos)
    return std::nullopt;
  const auto sys = text.substr(0, first);
  const auto mod = text.substr(first + 1, second - first - 1);
  const auto name = text.substr(second + 1);
  if (sys.empty() || mod.empty() || name.empty()) return std::nullopt;
  auto [generic, index] = split_module_name(mod);
  return Alias{Target{std::string(sys), std::move(generic), index}, std::string(name)};
}

}  // namespace roomd
