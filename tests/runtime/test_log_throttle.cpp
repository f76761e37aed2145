// A warning a client can provoke at will is written at most once per period, with a count.
#include "runtime/log_throttle.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace std::chrono_literals;

TEST_CASE("the first line passes, repeats within the period are held back and counted") {
  LogThrottle throttle(5s);
  const auto t0 = Clock::time_point{} + 1h;
  CHECK(throttle.pass(t0) == "");
  for (int i = 0; i < 1000; ++i) CHECK_FALSE(throttle.pass(t0 + 1ms * i));
  CHECK(throttle.held_back() == 1000);
  CHECK_FALSE(throttle.pass(t0 + 4999ms));
  CHECK(throttle.pass(t0 + 5s) == " (1001 more like it held back since the last one)");
  CHECK(throttle.held_back() == 0);
  // Quiet again: the next line passes without a count once the period is over.
  CHECK_FALSE(throttle.pass(t0 + 6s));
  CHECK(throttle.pass(t0 + 20s) == " (1 more like it held back since the last one)");
  CHECK(throttle.pass(t0 + 30s) == "");
}
