// The outbox's SQLite side, used by its writer thread alone: the schema, the boot epoch, and
// one transaction per batch that deletes acknowledged records, appends new ones with the next
// seqs and evicts by age and bytes, so that a failed transaction changes nothing, not even seq.
#pragma once

#include "runtime/database.hpp"
#include "uplink/outbox/eviction_report.hpp"
#include "uplink/outbox/outbox_options.hpp"
#include "uplink/outbox/outbox_record.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace roomd {

struct PendingRecord {
  std::string kind;
  RecordValue value = RecordValue::event;
  double ts = 0;
  Json fields;
};

// A failed commit, rolled back. `code` is SQLite's extended result code.
class StoreFailure : public std::runtime_error {
 public:
  StoreFailure(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }
  // SQLITE_FULL, or a failed write, truncate or fsync (EFBIG, ENOSPC, EDQUOT...): space to
  // check rather than a bug.
  bool no_space() const;

 private:
  int code_;
};

class OutboxStore {
 public:
  // Records removed per eviction pass at most, so that one `evicted` record stays small.
  static constexpr std::size_t kMaxPerPass = 1000;

  struct Totals {
    std::uint64_t committed_seq = 0;
    std::uint64_t pending = 0;
    std::uint64_t bytes = 0;
    std::uint64_t older_pending = 0;
  };

  // Opens (creating) options.dir/outbox.db, then increments and commits the boot epoch before
  // anything else. Throws std::runtime_error naming the file when it cannot.
  explicit OutboxStore(const OutboxOptions& options);

  // One transaction: `acks` deleted, `records` appended (their fields moved from), then
  // records older than max_age and, while over max_bytes, the least valuable evicted, each
  // pass appending one `evicted` record stamped `now`. Throws StoreFailure after rolling back.
  void commit(std::vector<PendingRecord>& records, const std::vector<Cursor>& acks, double now);

  std::uint64_t epoch() const { return epoch_; }
  const Totals& totals() const { return totals_; }
  const EvictionCounts& evicted() const { return evicted_; }
  const std::string& path() const { return path_; }
  // Passes that found nothing to evict though over max_bytes (only `evicted` records left).
  std::uint64_t stuck_passes() const { return stuck_passes_; }

 private:
  struct Victim {
    std::int64_t key;
    std::string kind;
    std::int64_t size;
  };

  void create_schema();
  void begin_epoch();
  void load_totals();
  void insert(Totals& work, std::string_view kind, int worth, double ts, Json fields);
  void evict_old(double now, Totals& work, EvictionCounts& added);
  void evict_over_bytes(double now, Totals& work, EvictionCounts& added);
  void remove(const std::vector<Victim>& victims, double now, Totals& work, EvictionCounts& added);
  void reset_statements();

  OutboxOptions options_;
  std::string path_;
  Database db_;
  std::uint64_t epoch_ = 0;
  Totals totals_;
  EvictionCounts evicted_;
  std::uint64_t stuck_passes_ = 0;
  Statement insert_;
  Statement delete_acked_;
  Statement delete_victim_;
  Statement oldest_;
  Statement cheapest_;
  Statement count_evicted_;
};

}  // namespace roomd
