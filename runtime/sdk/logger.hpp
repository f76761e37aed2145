// What a driver (or a runtime component) holds to write log records to its module's log.
// Records below the module's effective level cost one level check and are never formatted;
// the hub behind it (runtime/log.hpp) is the runtime's business.
#pragma once

#include "base/log_level.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

namespace roomd {

class LogChannel;

// What a driver or runtime component holds to write records. Cheap to copy.
class Logger {
 public:
  Logger() = default;
  explicit Logger(std::shared_ptr<LogChannel> channel);

  // The only cost of a record nobody wants: one relaxed load.
  bool enabled(LogLevel level) const noexcept {
    return level_ && static_cast<std::uint8_t>(level) >= level_->load(std::memory_order_relaxed);
  }

  template <class... Parts>
  void log(LogLevel level, const Parts&... parts) const {
    if (!enabled(level)) return;
    std::ostringstream out;
    (out << ... << parts);
    write(level, out.str());
  }
  template <class... Parts>
  void trace(const Parts&... p) const {
    log(LogLevel::trace, p...);
  }
  template <class... Parts>
  void debug(const Parts&... p) const {
    log(LogLevel::debug, p...);
  }
  template <class... Parts>
  void info(const Parts&... p) const {
    log(LogLevel::info, p...);
  }
  template <class... Parts>
  void warn(const Parts&... p) const {
    log(LogLevel::warn, p...);
  }
  template <class... Parts>
  void error(const Parts&... p) const {
    log(LogLevel::error, p...);
  }
  template <class... Parts>
  void fatal(const Parts&... p) const {
    log(LogLevel::fatal, p...);
  }

  // Writes an already formatted message (the level check is the caller's).
  void write(LogLevel level, std::string_view message) const;
  const std::string& module_id() const;

 private:
  std::shared_ptr<LogChannel> channel_;
  const std::atomic<std::uint8_t>* level_ = nullptr;  // the channel's effective level
};

}  // namespace roomd
