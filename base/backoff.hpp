// Delays between reconnect attempts: exponential growth from a minimum to a maximum with
// random jitter, so a room full of devices that drop together do not all reconnect in the
// same instant, and a dead device is not hammered.
#pragma once

#include "base/asio.hpp"

#include <cstdint>
#include <random>

namespace roomd {

class Backoff {
 public:
  enum class Jitter {
    full,   // uniform in [min, cap]: spreads retries the most
    equal,  // uniform in [cap / 2, cap] (never below min): grows more predictably
  };

  static constexpr Duration kDefaultMin{1000};
  static constexpr Duration kDefaultMax{10000};

  // `min` below 1 ms is raised to 1 ms (doubling zero never grows); `max` below `min` is
  // raised to `min`. The generator is seeded from std::random_device.
  explicit Backoff(Duration min = kDefaultMin, Duration max = kDefaultMax,
                   Jitter jitter = Jitter::full);
  // Same, with a fixed seed: tests get the same sequence every run.
  Backoff(Duration min, Duration max, Jitter jitter, std::uint64_t seed);

  // The delay before the next attempt. The cap starts at min and doubles on every call
  // until it reaches max.
  Duration next_delay();
  // After a success: the next delay starts from min again.
  void reset() { attempts_ = 0; }

  // Delays handed out since construction or the last reset().
  int attempts() const { return attempts_; }
  Duration min() const { return min_; }
  Duration max() const { return max_; }

 private:
  Duration cap() const;

  Duration min_;
  Duration max_;
  Jitter jitter_;
  int attempts_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace roomd
