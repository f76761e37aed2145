// One eviction pass's account of what it removed: the `gaps` of the `evicted` record it
// appends (per epoch: the seq ranges, the count, the count per kind) and the counts that the
// outbox adds to its persisted totals.
#pragma once

#include "base/json.hpp"
#include "uplink/outbox/outbox_record.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace roomd {

// Per epoch, per kind.
using EvictionCounts = std::map<std::uint64_t, std::map<std::string, std::uint64_t, std::less<>>>;

class EvictionReport {
 public:
  void add(Cursor at, std::string_view kind);
  bool empty() const { return victims_.empty(); }
  std::size_t size() const { return victims_.size(); }

  // [{"epoch": E, "seqs": [[from, to], ...], "count": n, "kinds": {kind: n}}, ...], epochs and
  // ranges ascending; a range holds consecutive seqs only.
  Json gaps() const;
  // Adds this pass's counts to `totals`.
  void count_into(EvictionCounts& totals) const;

 private:
  struct Victim {
    Cursor at;
    std::string kind;
  };
  std::vector<Victim> victims_;
};

}  // namespace roomd
