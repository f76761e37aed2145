#include "uplink/mqtt/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace roomd {

TokenBucket::TokenBucket(double rate, double burst)
    : rate_(std::max(0.0, rate)), burst_(std::max(1.0, burst)), tokens_(burst_) {}

void TokenBucket::refill(Clock::time_point now) {
  if (last_ != Clock::time_point{} && now > last_) {
    const double seconds = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + seconds * rate_);
  }
  last_ = std::max(last_, now);
}

bool TokenBucket::take(Clock::time_point now) {
  if (rate_ == 0) return true;
  refill(now);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

Clock::duration TokenBucket::wait(Clock::time_point now) {
  if (rate_ == 0) return {};
  refill(now);
  if (tokens_ >= 1) return {};
  const double seconds = (1 - tokens_) / rate_;
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)) +
         std::chrono::microseconds(1);
}

}  // namespace roomd
