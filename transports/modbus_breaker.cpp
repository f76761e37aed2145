#include "transports/modbus_breaker.hpp"

namespace roomd::modbus {

Breaker::Breaker(int trip_after, Duration retry) : trip_after_(trip_after), retry_(retry) {}

bool Breaker::admit(int unit, bool poll, Clock::time_point now) {
  if (!poll) return true;
  std::lock_guard lock(mutex_);
  auto it = slaves_.find(unit);
  if (it == slaves_.end() || !it->second.tripped) return true;
  Slave& slave = it->second;
  if (now < slave.next_probe) return false;
  // This poll is the probe; the next one waits a full interval whatever this one finds.
  slave.next_probe = now + retry_;
  return true;
}

void Breaker::on_timeout(int unit, Clock::time_point now) {
  if (trip_after_ <= 0) return;
  std::lock_guard lock(mutex_);
  Slave& slave = slaves_[unit];
  ++slave.timeouts;
  if (slave.timeouts < trip_after_) return;
  // Tripping, or a probe (or a user's request) that found it still dead: wait a full interval
  // from now, so the slow rate holds however long the timeout itself took.
  slave.tripped = true;
  slave.next_probe = now + retry_;
}

void Breaker::on_answer(int unit) {
  std::lock_guard lock(mutex_);
  slaves_.erase(unit);
}

SlaveHealth Breaker::health(int unit) const {
  std::lock_guard lock(mutex_);
  auto it = slaves_.find(unit);
  return it != slaves_.end() && it->second.tripped ? SlaveHealth::tripped : SlaveHealth::ok;
}

}  // namespace roomd::modbus
