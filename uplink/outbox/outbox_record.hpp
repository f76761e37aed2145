// What one outbox record is: its place in the global (epoch, seq) order, how valuable it is
// when the outbox must evict, and its stored JSON text as design.md fixes it
// ({"box", "epoch", "seq", "ts", "kind", ...the kind's fields}).
#pragma once

#include "base/json.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace roomd {

// How much a record is worth keeping when the outbox is over its bounds: the lowest goes
// first, oldest first within a value. `evicted` records (the outbox's own) are never evicted.
enum class RecordValue : std::uint8_t {
  low_log = 0,    // `log` at trace, debug or info
  telemetry = 1,  // `status`
  warning = 2,    // `log` at warn or worse, `alert`
  event = 3,      // `event`
  audit = 4,      // `exec`
};

// The value design.md gives a kind (for `log`, by its "level" field); unknown kinds count as
// events.
RecordValue value_of(std::string_view kind, const Json& fields);

// A position in the global order. {0, 0} is before every record.
struct Cursor {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  friend bool operator==(const Cursor&, const Cursor&) = default;
  friend auto operator<=>(const Cursor&, const Cursor&) = default;
};

struct StoredRecord {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::string text;  // the record's JSON, as published
};

// Records are keyed by epoch * 2^40 + seq, so SQLite's rowid order is the global order and an
// append lands at the end of the table. 2^40 records per boot, 2^23 boots.
constexpr int kSeqBits = 40;
constexpr std::uint64_t kMaxSeq = (std::uint64_t{1} << kSeqBits) - 1;
constexpr std::uint64_t kMaxEpoch = (std::uint64_t{1} << 23) - 1;

inline std::int64_t record_key(Cursor at) {
  return static_cast<std::int64_t>((at.epoch << kSeqBits) | (at.seq & kMaxSeq));
}
inline Cursor cursor_of(std::int64_t key) {
  const auto bits = static_cast<std::uint64_t>(key);
  return {bits >> kSeqBits, bits & kMaxSeq};
}

// The stored text: the envelope first, in design.md's order, then `fields` (an object; the
// envelope's own names in it are dropped, anything else is kept under "value").
std::string record_text(std::string_view box, Cursor at, double ts, std::string_view kind,
                        Json fields);

}  // namespace roomd
