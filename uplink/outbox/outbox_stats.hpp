// A snapshot of the outbox's counters: what GET /api/engine/v2/outbox shows (design.md) and
// what /metrics exports.
#pragma once

#include "base/json.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace roomd {

struct OutboxStats {
  std::uint64_t epoch = 0;
  std::uint64_t committed_seq = 0;  // last record of this epoch durably committed
  std::uint64_t acked_seq = 0;      // last of this epoch acknowledged; 0 while older epochs wait
  std::uint64_t pending = 0;        // records stored and not acknowledged (all epochs)
  std::uint64_t bytes = 0;          // their JSON text
  std::uint64_t older_pending = 0;  // of those, records of earlier epochs
  std::map<std::string, std::uint64_t, std::less<>> evicted;  // per kind, every epoch, persisted
  std::uint64_t refused = 0;  // records not stored since this start (disk full, queue full)

  // {"epoch", "committed_seq", "acked_seq", "pending", "bytes", "evicted": {kind: n},
  // "refused"}: the endpoint's body without "connected", which the upstream adds.
  Json to_json() const;
};

}  // namespace roomd
