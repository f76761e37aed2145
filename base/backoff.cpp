#include "base/backoff.hpp"

#include <algorithm>

namespace roomd {

namespace {

constexpr Duration kMinimumDelay{1};

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

Backoff::Backoff(Duration min, Duration max, Jitter jitter)
    : Backoff(min, max, jitter, random_seed()) {}

Backoff::Backoff(Duration min, Duration max, Jitter jitter, std::uint64_t seed)
    : min_(std::max(min, kMinimumDelay)), max_(std::max(max, min_)), jitter_(jitter), rng_(seed) {}

Duration Backoff::cap() const {
  // Doubling stops at max, so this loop is short and cannot overflow.
  Duration cap = min_;
  for (int i = 0; i < attempts_ && cap < max_; ++i) cap *= 2;
  return std::min(cap, max_);
}

Duration Backoff::next_delay() {
  const Duration upper = cap();
  ++attempts_;
  const Duration lower = jitter_ == Jitter::full ? min_ : std::max(min_, upper / 2);
  std::uniform_int_distribution<Duration::rep> pick(lower.count(), upper.count());
  return Duration{pick(rng_)};
}

}  // namespace roomd
