// Paces the outbox drain (upstream.mqtt.drain_rate): a record may go when a token is there;
// tokens come at `rate` per second up to a small burst, so a thousand boxes reconnecting at
// once offer the broker a steady trickle each instead of their whole backlog.
#pragma once

#include "base/asio.hpp"

namespace roomd {

class TokenBucket {
 public:
  // `rate` tokens per second (0: unlimited), at most `burst` (at least 1) saved up; it
  // starts full.
  TokenBucket(double rate, double burst);

  // Takes a token if one is there at `now`.
  bool take(Clock::time_point now);
  // How long from `now` until take() succeeds (zero when it would now).
  Clock::duration wait(Clock::time_point now);

 private:
  void refill(Clock::time_point now);

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace roomd
