#include "base/backoff.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <vector>

using roomd::Backoff;
using roomd::Duration;

namespace {

std::vector<Duration> take(Backoff& backoff, int n) {
  std::vector<Duration> delays;
  for (int i = 0; i < n; ++i) delays.push_back(backoff.next_delay());
  return delays;
}

}  // namespace

TEST_CASE("backoff: defaults are 1 s to 10 s", "[backoff]") {
  Backoff backoff;
  CHECK(backoff.min() == Duration{1000});
  CHECK(backoff.max() == Duration{10000});
  for (auto d : take(backoff, 50)) {
    CHECK(d >= Duration{1000});
    CHECK(d <= Duration{10000});
  }
}

TEST_CASE("backoff: full jitter stays within min and the doubling cap", "[backoff]") {
  Backoff backoff(Duration{20}, Duration{1000}, Backoff::Jitter::full, 7);
  // The first delay is exactly min: the cap starts there.
  CHECK(backoff.next_delay() == Duration{20});
  Duration cap{20};
  for (int i = 1; i < 40; ++i) {
    cap = std::min(cap * 2, Duration{1000});
    const Duration d = backoff.next_delay();
    CHECK(d >= Duration{20});
    CHECK(d <= cap);
  }
}

TEST_CASE("backoff: equal jitter grows and never passes max", "[backoff]") {
  Backoff backoff(Duration{10}, Duration{300}, Backoff::Jitter::equal, 42);
  const auto delays = take(backoff, 12);
  // cap: 10 20 40 80 160 300 300 ...; equal jitter keeps each delay in [cap/2, cap].
  const Duration caps[] = {Duration{10}, Duration{20}, Duration{40}, Duration{80}, Duration{160}};
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(delays[i] >= std::max(Duration{10}, caps[i] / 2));
    CHECK(delays[i] <= caps[i]);
  }
  for (std::size_t i = 5; i < delays.size(); ++i) {
    CHECK(delays[i] >= Duration{150});
    CHECK(delays[i] <= Duration{300});
  }
}

TEST_CASE("backoff: reset starts again from min", "[backoff]") {
  Backoff backoff(Duration{50}, Duration{5000}, Backoff::Jitter::equal, 1);
  take(backoff, 10);
  CHECK(backoff.attempts() == 10);
  CHECK(backoff.next_delay() >= Duration{2500});
  backoff.reset();
  CHECK(backoff.attempts() == 0);
  CHECK(backoff.next_delay() == Duration{50});
  const Duration second = backoff.next_delay();
  CHECK(second >= Duration{50});
  CHECK(second <= Duration{100});
}

TEST_CASE("backoff: the same seed gives the same sequence", "[backoff]") {
  Backoff a(Duration{10}, Duration{10000}, Backoff::Jitter::full, 123);
  Backoff b(Duration{10}, Duration{10000}, Backoff::Jitter::full, 123);
  CHECK(take(a, 20) == take(b, 20));
}

TEST_CASE("backoff: jitter actually varies", "[backoff]") {
  Backoff backoff(Duration{1}, Duration{100000}, Backoff::Jitter::full, 9);
  take(backoff, 20);  // let the cap reach max
  const auto delays = take(backoff, 20);
  CHECK(std::adjacent_find(delays.begin(), delays.end(), std::not_equal_to<>()) != delays.end());
}

TEST_CASE("backoff: odd bounds are repaired", "[backoff]") {
  Backoff zero(Duration{0}, Duration{0}, Backoff::Jitter::full, 3);
  CHECK(zero.min() == Duration{1});
  CHECK(zero.next_delay() == Duration{1});
  Backoff inverted(Duration{500}, Duration{100}, Backoff::Jitter::equal, 3);
  CHECK(inverted.max() == Duration{500});
  for (auto d : take(inverted, 5)) CHECK(d == Duration{500});
}
