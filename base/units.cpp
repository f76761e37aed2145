#include "base/units.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>

namespace roomd {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t scale;
};

constexpr std::array<Unit, 5> kDurationUnits = {{
    {"ms", 1},
    {"s", 1000},
    {"m", 60 * 1000},
    {"h", 60 * 60 * 1000},
    {"d", 24 * 60 * 60 * 1000},
}};

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kKB = 1000;
constexpr std::array<Unit, 8> kSizeUnits = {{
    {"B", 1},
    {"KiB", kKiB},
    {"MiB", kKiB* kKiB},
    {"GiB", kKiB* kKiB* kKiB},
    {"KB", kKB},
    {"kB", kKB},  // the SI spelling; people write both
    {"MB", kKB* kKB},
    {"GB", kKB* kKB* kKB},
}};

// Far more precision than a config needs, and small enough that fraction * scale below
// cannot overflow 64 bits.
constexpr std::size_t kMaxFractionDigits = 9;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Parses "<digits>[.<digits>]<unit>" in integer arithmetic, so a decimal fraction converts
// exactly instead of going through a binary double. A value that is not a whole number
// of base units ("1.5ms", "0.5B") is rejected rather than silently rounded.
template <std::size_t N>
std::optional<std::uint64_t> parse_with_units(std::string_view text,
                                              const std::array<Unit, N>& units) {
  std::size_t pos = 0;
  std::uint64_t whole = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (; pos < text.size() && is_digit(text[pos]); ++pos) {
    const std::uint64_t digit = static_cast<std::uint64_t>(text[pos] - '0');
    if (whole > (kMax - digit) / 10) return std::nullopt;
    whole = whole * 10 + digit;
  }
  if (pos == 0) return std::nullopt;

  std::uint64_t fraction = 0;
  std::uint64_t fraction_scale = 1;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t start = ++pos;
    for (; pos < text.size() && is_digit(text[pos]); ++pos) {
      if (pos - start == kMaxFractionDigits) return std::nullopt;
      fraction = fraction * 10 + static_cast<std::uint64_t>(text[pos] - '0');
      fraction_scale *= 10;
    }
    if (pos == start) return std::nullopt;
  }

  const std::string_view suffix = text.substr(pos);
  for (const Unit& unit : units) {
    if (unit.suffix != suffix) continue;
    if (whole > kMax / unit.scale) return std::nullopt;
    // fraction < 10^9 and every scale is <= 2^30, so the product stays below 2^64.
    if (fraction * unit.scale % fraction_scale != 0) return std::nullopt;
    const std::uint64_t from_fraction = fraction * unit.scale / fraction_scale;
    const std::uint64_t from_whole = whole * unit.scale;
    if (from_whole > kMax - from_fraction) return std::nullopt;
    return from_whole + from_fraction;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  const auto millis = parse_with_units(text, kDurationUnits);
  if (!millis) return std::nullopt;
  constexpr auto kMaxMillis = static_cast<std::uint64_t>(std::numeric_limits<Duration::rep>::max());
  if (*millis > kMaxMillis) return std::nullopt;
  return Duration{static_cast<Duration::rep>(*millis)};
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  return parse_with_units(text, kSizeUnits);
}

std::string duration_text(Duration d) {
  const auto ms = d.count();
  for (auto unit = kDurationUnits.rbegin(); unit != kDurationUnits.rend(); ++unit) {
    const auto scale = static_cast<Duration::rep>(unit->scale);
    if (ms != 0 && ms % scale == 0) return std::to_string(ms / scale) + std::string(unit->suffix);
  }
  return std::to_string(ms) + "ms";
}

}  // namespace roomd
