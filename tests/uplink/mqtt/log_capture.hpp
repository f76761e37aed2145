// The lines a component logged, kept for assertions (the MQTT client's log sink).
#pragma once

#include "base/log_level.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace roomd::test {

struct LogCapture {
  std::vector<std::pair<LogLevel, std::string>> lines;

  std::function<void(LogLevel, std::string)> sink() {
    return [this](LogLevel level, std::string line) { lines.emplace_back(level, std::move(line)); };
  }
  // The lines at `level` or above.
  std::vector<std::string> at_least(LogLevel level) const {
    std::vector<std::string> result;
    for (const auto& [at, line] : lines)
      if (at >= level) result.push_back(line);
    return result;
  }
  // The first line at `level` or above that contains `part`; empty if none.
  std::string find(LogLevel level, std::string_view part) const {
    for (const auto& line : at_least(level))
      if (line.find(part) != std::string::npos) return line;
    return {};
  }
};

}  // namespace roomd::test
