#include "base/units.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

namespace roomd {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST_CASE("parse_duration accepts every unit", "[config][units]") {
  CHECK(parse_duration("500ms") == Duration{500});
  CHECK(parse_duration("10s") == seconds{10});
  CHECK(parse_duration("5m") == minutes{5});
  CHECK(parse_duration("1h") == hours{1});
  CHECK(parse_duration("30d") == days{30});
  CHECK(parse_duration("0s") == Duration{0});
}

TEST_CASE("durations are written as the config writes them", "[config][units]") {
  CHECK(duration_text(Duration{250}) == "250ms");
  CHECK(duration_text(Duration{1500}) == "1500ms");
  CHECK(duration_text(seconds{30}) == "30s");
  CHECK(duration_text(seconds{90}) == "90s");
  CHECK(duration_text(minutes{5}) == "5m");
  CHECK(duration_text(hours{2}) == "2h");
  CHECK(duration_text(days{30}) == "30d");
  CHECK(duration_text(Duration{0}) == "0ms");
  for (auto d : {Duration{7}, Duration{61000}, Duration{86400000}})
    CHECK(parse_duration(duration_text(d)) == d);
}

TEST_CASE("parse_duration accepts exact fractions", "[config][units]") {
  CHECK(parse_duration("1.5s") == Duration{1500});
  CHECK(parse_duration("1.1s") == Duration{1100});
  CHECK(parse_duration("0.25h") == minutes{15});
  CHECK(parse_duration("2.0ms") == Duration{2});
}

TEST_CASE("parse_duration rejects anything without a unit or with extra text", "[config][units]") {
  for (const char* text : {"", "10", "1.5", "s", "ms", "10 s", " 10s", "10s ", "-5s", "+5s",
                           "1e3ms", ".5s", "5.s", "10S", "10sec", "10 parsecs", "5mm"}) {
    INFO(text);
    CHECK_FALSE(parse_duration(text).has_value());
  }
}

TEST_CASE("parse_duration rejects what is not a whole number of milliseconds or overflows",
          "[config][units]") {
  CHECK_FALSE(parse_duration("1.5ms").has_value());
  CHECK_FALSE(parse_duration("0.0001s").has_value());
  CHECK_FALSE(parse_duration("0.1234567891s").has_value());  // more digits than supported
  CHECK_FALSE(parse_duration("99999999999999999999ms").has_value());
  CHECK_FALSE(parse_duration("9223372036854775808ms").has_value());  // int64 max + 1
  CHECK(parse_duration("9223372036854775807ms") == Duration{9223372036854775807});
  CHECK_FALSE(parse_duration("999999999999999d").has_value());
}

TEST_CASE("parse_size accepts binary and decimal units", "[config][units]") {
  CHECK(parse_size("512B") == 512u);
  CHECK(parse_size("64KiB") == 64u * 1024);
  CHECK(parse_size("256MiB") == 256u * 1024 * 1024);
  CHECK(parse_size("1GiB") == 1024u * 1024 * 1024);
  CHECK(parse_size("10kB") == 10'000u);
  CHECK(parse_size("10KB") == 10'000u);
  CHECK(parse_size("5MB") == 5'000'000u);
  CHECK(parse_size("2GB") == 2'000'000'000u);
  CHECK(parse_size("1.5KiB") == 1536u);
  CHECK(parse_size("0B") == 0u);
}

TEST_CASE("parse_size rejects bare numbers, unknown units and partial bytes", "[config][units]") {
  for (const char* text : {"", "512", "64 KiB", "64kib", "64K", "1TiB", "1b", "0.5B", "1.0001KiB",
                           "-1KiB", "99999999999GiB"}) {
    INFO(text);
    CHECK_FALSE(parse_size(text).has_value());
  }
}

}  // namespace
}  // namespace roomd
