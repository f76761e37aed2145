// Log levels shared by the logger, the config and the client-facing API.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace roomd {

enum class LogLevel : std::uint8_t { trace, debug, info, warn, error, fatal };

inline constexpr std::string_view to_string(LogLevel level) {
  constexpr std::string_view kNames[] = {"trace", "debug", "info", "warn", "error", "fatal"};
  return kNames[static_cast<int>(level)];
}

inline std::optional<LogLevel> parse_log_level(std::string_view text) {
  for (int i = 0; i <= static_cast<int>(LogLevel::fatal); ++i) {
    auto level = static_cast<LogLevel>(i);
    if (to_string(level) == text) return level;
  }
  if (text == "warning") return LogLevel::warn;
  return std::nullopt;
}

}  // namespace roomd
