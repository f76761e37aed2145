// Per-slave circuit breaker of one Modbus bus: after N consecutive timeouts a unit is tripped
// and its polls are held back except for one probe per retry interval, so a dead slave costs
// the bus one timeout per interval instead of one per poll. Private to transports/.
#pragma once

#include "base/asio.hpp"
#include "transports/modbus_bus.hpp"

#include <mutex>
#include <unordered_map>

namespace roomd::modbus {

class Breaker {
 public:
  // `trip_after` <= 0 disables the breaker (every request goes on the bus).
  Breaker(int trip_after, Duration retry);

  // Whether a request for `unit` may go on the bus at `now`. A poll for a tripped unit passes
  // once per retry interval (the probe); other requests always pass, because a user's action
  // deserves a real attempt.
  bool admit(int unit, bool poll, Clock::time_point now);
  // The unit did not answer within the response timeout.
  void on_timeout(int unit, Clock::time_point now);
  // The unit answered, with data or an exception: it is alive, so the breaker closes.
  void on_answer(int unit);

  SlaveHealth health(int unit) const;
  Duration retry() const { return retry_; }

 private:
  struct Slave {
    int timeouts = 0;  // consecutive
    bool tripped = false;
    Clock::time_point next_probe{};
  };

  const int trip_after_;
  const Duration retry_;
  // health() is asked from other threads while the bus's worker updates the state.
  mutable std::mutex mutex_;
  std::unordered_map<int, Slave> slaves_;
};

}  // namespace roomd::modbus
