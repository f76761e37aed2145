#include "transports/modbus_breaker.hpp"

#include <catch2/catch.hpp>

using roomd::Clock;
using roomd::Duration;
using roomd::modbus::Breaker;
using roomd::modbus::SlaveHealth;

namespace {

constexpr Duration kRetry{300};
const Clock::time_point kStart = Clock::now();

Clock::time_point at(int ms) {
  return kStart + Duration{ms};
}

}  // namespace

TEST_CASE("modbus breaker: trips after N consecutive timeouts", "[modbus_bus][breaker]") {
  Breaker breaker(2, kRetry);
  CHECK(breaker.health(3) == SlaveHealth::ok);
  breaker.on_timeout(3, at(0));
  CHECK(breaker.health(3) == SlaveHealth::ok);
  CHECK(breaker.admit(3, true, at(100)));
  breaker.on_timeout(3, at(100));
  CHECK(breaker.health(3) == SlaveHealth::tripped);
  CHECK_FALSE(breaker.admit(3, true, at(101)));
  // Other units are not affected.
  CHECK(breaker.health(1) == SlaveHealth::ok);
  CHECK(breaker.admit(1, true, at(101)));
}

TEST_CASE("modbus breaker: an answer in between resets the count", "[modbus_bus][breaker]") {
  Breaker breaker(2, kRetry);
  breaker.on_timeout(3, at(0));
  breaker.on_answer(3);
  breaker.on_timeout(3, at(10));
  CHECK(breaker.health(3) == SlaveHealth::ok);
}

TEST_CASE("modbus breaker: a tripped unit gets one probe poll per retry interval",
          "[modbus_bus][breaker]") {
  Breaker breaker(1, kRetry);
  breaker.on_timeout(3, at(0));
  REQUIRE(breaker.health(3) == SlaveHealth::tripped);
  CHECK_FALSE(breaker.admit(3, true, at(299)));
  CHECK(breaker.admit(3, true, at(300)));        // the probe
  CHECK_FALSE(breaker.admit(3, true, at(301)));  // only one
  breaker.on_timeout(3, at(400));                // the probe timed out: a full interval again
  CHECK_FALSE(breaker.admit(3, true, at(699)));
  CHECK(breaker.admit(3, true, at(700)));
}

TEST_CASE("modbus breaker: non-poll requests to a tripped unit are always tried",
          "[modbus_bus][breaker]") {
  Breaker breaker(1, kRetry);
  breaker.on_timeout(3, at(0));
  CHECK(breaker.admit(3, false, at(1)));
  CHECK(breaker.admit(3, false, at(2)));
  // Trying it does not use up the probe.
  CHECK(breaker.admit(3, true, at(300)));
}

TEST_CASE("modbus breaker: any answer closes it", "[modbus_bus][breaker]") {
  Breaker breaker(1, kRetry);
  breaker.on_timeout(3, at(0));
  REQUIRE(breaker.health(3) == SlaveHealth::tripped);
  breaker.on_answer(3);  // data or an exception reply: the slave is alive
  CHECK(breaker.health(3) == SlaveHealth::ok);
  CHECK(breaker.admit(3, true, at(1)));
}

TEST_CASE("modbus breaker: trip_after 0 disables it", "[modbus_bus][breaker]") {
  Breaker breaker(0, kRetry);
  for (int i = 0; i < 10; ++i) breaker.on_timeout(3, at(i));
  CHECK(breaker.health(3) == SlaveHealth::ok);
  CHECK(breaker.admit(3, true, at(10)));
}
