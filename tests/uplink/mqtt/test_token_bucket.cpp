#include "uplink/mqtt/token_bucket.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace std::chrono_literals;

TEST_CASE("a token bucket gives its burst at once, then one token per 1/rate") {
  TokenBucket bucket(100, 10);
  const auto t0 = Clock::now();
  for (int i = 0; i < 10; ++i) REQUIRE(bucket.take(t0));
  CHECK_FALSE(bucket.take(t0));
  const auto wait = bucket.wait(t0);
  CHECK(wait > 9ms);
  CHECK(wait <= 11ms);
  CHECK_FALSE(bucket.take(t0 + 5ms));
  CHECK(bucket.take(t0 + 10ms + 1us));
  // Saved up for a long while: no more than the burst.
  int taken = 0;
  while (bucket.take(t0 + 10s)) ++taken;
  CHECK(taken == 10);
}

TEST_CASE("a token bucket at rate 0 never limits") {
  TokenBucket bucket(0, 0);
  const auto t0 = Clock::now();
  for (int i = 0; i < 100000; ++i) REQUIRE(bucket.take(t0));
  CHECK(bucket.wait(t0) == Clock::duration::zero());
}
