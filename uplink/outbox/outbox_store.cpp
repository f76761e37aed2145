#include "uplink/outbox/outbox_store.hpp"

#include <sqlite3.h>

#include <utility>

namespace roomd {
namespace {

// `worth` of the outbox's own `evicted` records: above every RecordValue, never evicted.
constexpr int kGapWorth = 5;
// Eviction goes down to 95% of max_bytes, so that a full outbox evicts once per few commits
// rather than on every one.
constexpr std::uint64_t kLowWaterDivisor = 20;
// Bounds the work of one commit; what is left over is evicted by the next.
constexpr int kMaxPassesPerCommit = 64;

void rollback(Database& db) noexcept {
  // After SQLITE_FULL or an I/O error SQLite may have rolled back already.
  if (sqlite3_get_autocommit(db.handle())) return;
  try {
    db.exec("ROLLBACK");
  } catch (...) {
    // The connection closes the transaction when it cannot roll back; nothing else to do.
  }
}

std::string code_name(int code) {
  switch (code) {
    case SQLITE_FULL:
      return "SQLITE_FULL";
    case SQLITE_IOERR_WRITE:
      return "SQLITE_IOERR_WRITE";
    case SQLITE_IOERR_FSYNC:
      return "SQLITE_IOERR_FSYNC";
    case SQLITE_IOERR_TRUNCATE:
      return "SQLITE_IOERR_TRUNCATE";
    case SQLITE_IOERR_SHMSIZE:
      return "SQLITE_IOERR_SHMSIZE";
    case SQLITE_IOERR_DIR_FSYNC:
      return "SQLITE_IOERR_DIR_FSYNC";
    default:
      return "SQLite code " + std::to_string(code);
  }
}

}  // namespace

bool StoreFailure::no_space() const {
  switch (code_) {
    case SQLITE_FULL:
    case SQLITE_IOERR_WRITE:
    case SQLITE_IOERR_FSYNC:
    case SQLITE_IOERR_TRUNCATE:
    case SQLITE_IOERR_SHMSIZE:
    case SQLITE_IOERR_DIR_FSYNC:
      return true;
    default:
      return (code_ & 0xff) == SQLITE_FULL;
  }
}

OutboxStore::OutboxStore(const OutboxOptions& options)
    : options_(options),
      path_((options.dir / "outbox.db").string()),
      db_(path_, "outbox database") {
  db_.exec(options_.sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  create_schema();
  begin_epoch();
  insert_ = db_.prepare(
      "INSERT INTO records (key, ts, kind, worth, size, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  delete_acked_ = db_.prepare("DELETE FROM records WHERE key = ?1 RETURNING size");
  delete_victim_ = db_.prepare("DELETE FROM records WHERE key = ?1");
  // `+worth` keeps the planner on the rowid order instead of the worth index.
  oldest_ =
      db_.prepare("SELECT key, kind, size, ts FROM records WHERE +worth < 5 ORDER BY key LIMIT ?1");
  cheapest_ = db_.prepare(
      "SELECT key, kind, size FROM records WHERE worth < 5 ORDER BY worth, key LIMIT ?1");
  count_evicted_ = db_.prepare(
      "INSERT INTO evicted_counts (epoch, kind, count) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (epoch, kind) DO UPDATE SET count = count + excluded.count");
  load_totals();
}

void OutboxStore::create_schema() {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS records (key INTEGER PRIMARY KEY, ts REAL NOT NULL,"
      "  kind TEXT NOT NULL, worth INTEGER NOT NULL, size INTEGER NOT NULL, text TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS records_by_worth ON records (worth);"
      "CREATE TABLE IF NOT EXISTS evicted_counts (epoch INTEGER NOT NULL, kind TEXT NOT NULL,"
      "  count INTEGER NOT NULL, PRIMARY KEY (epoch, kind));");
}

void OutboxStore::begin_epoch() {
  db_.exec("BEGIN IMMEDIATE");
  try {
    auto select = db_.prepare("SELECT value FROM meta WHERE name = 'epoch'");
    std::uint64_t previous = select.step() ? static_cast<std::uint64_t>(select.column_int64(0)) : 0;
    select.reset();
    if (previous >= kMaxEpoch) {
      throw std::runtime_error("outbox database " + path_ + ": boot epoch " +
                               std::to_string(previous) +
                               " is at its limit; move the file away to start over");
    }
    epoch_ = previous + 1;
    db_.prepare(
           "INSERT INTO meta (name, value) VALUES ('epoch', ?1) "
           "ON CONFLICT (name) DO UPDATE SET value = excluded.value")
        .bind_int64(1, static_cast<std::int64_t>(epoch_))
        .run();
    db_.exec("COMMIT");
  } catch (...) {
    rollback(db_);
    throw;
  }
}

void OutboxStore::load_totals() {
  auto sums = db_.prepare("SELECT count(*), coalesce(sum(size), 0) FROM records");
  if (sums.step()) {
    totals_.pending = static_cast<std::uint64_t>(sums.column_int64(0));
    totals_.bytes = static_cast<std::uint64_t>(sums.column_int64(1));
  }
  totals_.older_pending = totals_.pending;  // this epoch has just begun
  auto counts = db_.prepare("SELECT epoch, kind, count FROM evicted_counts");
  while (counts.step()) {
    evicted_[static_cast<std::uint64_t>(counts.column_int64(0))]
            [std::string(counts.column_text(1))] =
                static_cast<std::uint64_t>(counts.column_int64(2));
  }
}

void OutboxStore::commit(std::vector<PendingRecord>& records, const std::vector<Cursor>& acks,
                         double now) {
  Totals work = totals_;
  EvictionCounts added;
  try {
    db_.exec("BEGIN IMMEDIATE");
    for (const auto& ack : acks) {
      delete_acked_.bind_int64(1, record_key(ack));
      if (delete_acked_.step()) {
        --work.pending;
        work.bytes -= static_cast<std::uint64_t>(delete_acked_.column_int64(0));
        if (ack.epoch < epoch_) --work.older_pending;
      }
      delete_acked_.reset();
    }
    for (auto& record : records) {
      insert(work, record.kind, static_cast<int>(record.value), record.ts,
             std::move(record.fields));
    }
    evict_old(now, work, added);
    evict_over_bytes(now, work, added);
    db_.exec("COMMIT");
  } catch (const std::exception& error) {
    const int code = sqlite3_extended_errcode(db_.handle());
    // "disk I/O error" alone does not say which write failed.
    std::string message = std::string(error.what()) + " (" + code_name(code) + ")";
    reset_statements();
    rollback(db_);
    throw StoreFailure(code, message);
  }
  totals_ = work;
  for (auto& [epoch, kinds] : added) {
    for (auto& [kind, count] : kinds) evicted_[epoch][kind] += count;
  }
}

void OutboxStore::insert(Totals& work, std::string_view kind, int worth, double ts, Json fields) {
  const Cursor at{epoch_, work.committed_seq + 1};
  const auto text = record_text(options_.box_id, at, ts, kind, std::move(fields));
  insert_.bind_int64(1, record_key(at))
      .bind_double(2, ts)
      .bind_text(3, kind)
      .bind_int64(4, worth)
      .bind_int64(5, static_cast<std::int64_t>(text.size()))
      .bind_text(6, text)
      .run();
  work.committed_seq = at.seq;
  ++work.pending;
  work.bytes += text.size();
}

void OutboxStore::evict_old(double now, Totals& work, EvictionCounts& added) {
  if (options_.max_age.count() <= 0) return;
  const double cutoff = now - static_cast<double>(options_.max_age.count());
  for (int pass = 0; pass < kMaxPassesPerCommit; ++pass) {
    // Storage order is roughly ts order: the scan stops at the first record young enough.
    std::vector<Victim> victims;
    oldest_.bind_int64(1, static_cast<std::int64_t>(kMaxPerPass));
    while (oldest_.step() && oldest_.column_double(3) < cutoff) {
      victims.push_back(
          {oldest_.column_int64(0), std::string(oldest_.column_text(1)), oldest_.column_int64(2)});
    }
    oldest_.reset();
    if (victims.empty()) return;
    remove(victims, now, work, added);
    if (victims.size() < kMaxPerPass) return;
  }
}

void OutboxStore::evict_over_bytes(double now, Totals& work, EvictionCounts& added) {
  const std::uint64_t low_water = options_.max_bytes - options_.max_bytes / kLowWaterDivisor;
  for (int pass = 0; pass < kMaxPassesPerCommit && work.bytes > options_.max_bytes; ++pass) {
    std::vector<Victim> victims;
    std::uint64_t freed = 0;
    const std::uint64_t need = work.bytes - low_water;
    cheapest_.bind_int64(1, static_cast<std::int64_t>(kMaxPerPass));
    while (freed < need && cheapest_.step()) {
      victims.push_back({cheapest_.column_int64(0), std::string(cheapest_.column_text(1)),
                         cheapest_.column_int64(2)});
      freed += static_cast<std::uint64_t>(victims.back().size);
    }
    cheapest_.reset();
    if (victims.empty()) {
      ++stuck_passes_;
      return;
    }
    remove(victims, now, work, added);
  }
}

void OutboxStore::remove(const std::vector<Victim>& victims, double now, Totals& work,
                         EvictionCounts& added) {
  EvictionReport report;
  for (const auto& victim : victims) {
    delete_victim_.bind_int64(1, victim.key).run();
    const Cursor at = cursor_of(victim.key);
    --work.pending;
    work.bytes -= static_cast<std::uint64_t>(victim.size);
    if (at.epoch < epoch_) --work.older_pending;
    report.add(at, victim.kind);
  }
  EvictionCounts pass;
  report.count_into(pass);
  for (const auto& [epoch, kinds] : pass) {
    for (const auto& [kind, count] : kinds) {
      count_evicted_.bind_int64(1, static_cast<std::int64_t>(epoch))
          .bind_text(2, kind)
          .bind_int64(3, static_cast<std::int64_t>(count))
          .run();
      added[epoch][kind] += count;
    }
  }
  insert(work, "evicted", kGapWorth, now, Json{{"gaps", report.gaps()}});
}

void OutboxStore::reset_statements() {
  for (auto* statement :
       {&insert_, &delete_acked_, &delete_victim_, &oldest_, &cheapest_, &count_evicted_}) {
    if (*statement) statement->reset();
  }
}

}  // namespace roomd
