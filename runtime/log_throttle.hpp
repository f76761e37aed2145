// Holds back a warning that outsiders can provoke at will (a refused key, a full server, a
// failing accept): at most one line per period, which then says how many were held back, so
// a flood of bad clients costs a line every few seconds instead of the disk.
#pragma once

#include "base/asio.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace roomd {

class LogThrottle {
 public:
  static constexpr Clock::duration kDefaultPeriod = std::chrono::seconds(5);

  explicit LogThrottle(Clock::duration period = kDefaultPeriod) : period_(period) {}

  // nullopt: hold this line back. Otherwise write it, followed by the returned text, which
  // counts the lines held back since the last one written ("" when there were none).
  // Not thread-safe: one throttle belongs to one thread (the io thread, for the API).
  std::optional<std::string> pass(Clock::time_point now = Clock::now()) {
    if (written_ && now - last_ < period_) {
      ++held_back_;
      return std::nullopt;
    }
    std::string note;
    if (held_back_ > 0)
      note = " (" + std::to_string(held_back_) + " more like it held back since the last one)";
    written_ = true;
    last_ = now;
    held_back_ = 0;
    return note;
  }

  std::uint64_t held_back() const { return held_back_; }

 private:
  Clock::duration period_;
  Clock::time_point last_{};
  bool written_ = false;
  std::uint64_t held_back_ = 0;
};

}  // namespace roomd
