// The durable outbox (design.md, "Offline operation and store-and-forward"): what happened on
// the box, kept in SQLite (WAL, dir/outbox.db) until the upstream has it acknowledged, with
// (box, boot epoch, seq) on every record, bounded by bytes and age with counted evictions.
//
// Threads: append(), ack(), stats() and flush() from any thread; appends and acks are queued
// to one writer thread that groups them into transactions, so no caller waits on a disk.
// read_after() has its own connection and may block on it: call it from a worker thread
// (the upstream's), never from the event loop. on_committed listeners run on the writer.
#pragma once

#include "uplink/outbox/eviction_report.hpp"
#include "uplink/outbox/outbox_options.hpp"
#include "uplink/outbox/outbox_record.hpp"
#include "uplink/outbox/outbox_stats.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace roomd {

class Outbox {
 public:
  // Called on the writer thread after each commit that stored records: the epoch and the last
  // seq now durable (all seqs up to it are stored, or evicted and reported).
  using CommitListener = std::function<void(std::uint64_t epoch, std::uint64_t last_seq)>;

  // Opens dir/outbox.db, increments and commits the boot epoch (first start: 1), then starts
  // the writer. Throws std::runtime_error naming the file when the database cannot be opened
  // or the epoch not committed (a full disk at boot included): the caller decides whether the
  // box runs without an outbox.
  explicit Outbox(OutboxOptions options);
  // stop().
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Commits what is queued (what cannot be stored is refused), then joins the writer. Later
  // appends are refused. Idempotent.
  void stop();

  std::uint64_t epoch() const;

  // Queues one record; `ts` is when it happened (unix seconds), `fields` the kind's own
  // (design.md's table). Never blocks on the disk. false: refused and counted, because the
  // queue holds queue_max records already (the disk is that far behind) or after stop().
  bool append(std::string_view kind, RecordValue value, double ts, Json fields);
  // The same, valued by value_of(kind, fields).
  bool append(std::string_view kind, double ts, Json fields);

  // Set before the first append; replaces the previous listener.
  void on_committed(CommitListener listener);

  // Up to `max` stored records after `after`, in (epoch, seq) order, older epochs first.
  // Throws std::runtime_error naming the file when the database cannot be read.
  std::vector<StoredRecord> read_after(Cursor after, std::size_t max);

  // The upstream has these records: they are deleted by the writer's next transaction (a
  // record is deleted only when acknowledged, or evicted). Unknown records are ignored.
  void ack(Cursor record);
  void ack(std::span<const Cursor> records);

  // Blocks until everything appended or acked before the call is committed or refused, and
  // the listener and the log have heard of it.
  void flush();

  OutboxStats stats() const;
  // Evicted records per boot epoch and kind, since the database was created.
  EvictionCounts evicted_by_epoch() const;
  const std::string& path() const;

 private:
  struct Shared;

  void writer_loop();

  std::unique_ptr<Shared> shared_;
};

}  // namespace roomd
