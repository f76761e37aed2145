// The config tests' view of a rejected config: each problem as check-config prints it
// ("path: message"), in the order the loader found them.
#pragma once

#include "config/config.hpp"

#include <string>
#include <vector>

namespace roomd::test {

inline std::vector<std::string> errors_of(const std::string& text) {
  auto result = parse_config(text);
  std::vector<std::string> texts;
  for (const auto& e : result.errors) texts.push_back(e.text());
  return texts;
}

}  // namespace roomd::test
