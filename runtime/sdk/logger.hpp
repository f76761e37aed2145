// What a driver (or a runtime component) holds to write log records to its module's log.
// Records below the module's effective level cost one level check and are never formatted;
// the hub behind it (runtime/log.hpp) is the runtime's business.
#pragma once

#include "base/log_level.hpp"

#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

namespace roomd {

class LogChannel;

namespace log_detail {
// Text and numbers are appended directly: an ostringstream per record (its locale and
// buffers) cost more than the rest of a busy exec path. Anything else streams as before.
template <class T>
void append_part(std::string& out, const T& part) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    out.append(std::string_view(part));
  } else if constexpr (std::is_same_v<T, char>) {
    out.push_back(part);
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool> && sizeof(T) > 1) {
    char buffer[24];
    auto end = std::to_chars(buffer, buffer + sizeof buffer, part).ptr;
    out.append(buffer, end);
  } else if constexpr (std::is_floating_point_v<T>) {
    // %g is what an ostream prints by default (six significant digits).
    char buffer[32];
    const int n = std::snprintf(buffer, sizeof buffer, "%g", static_cast<double>(part));
    out.append(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
  } else {
    std::ostringstream stream;
    stream << part;
    out += stream.str();
  }
}
}  // namespace log_detail

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
    std::string out;
    (log_detail::append_part(out, parts), ...);
    write(level, out);
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
