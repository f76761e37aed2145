#include "uplink/outbox/outbox.hpp"

#include "base/wall_clock.hpp"
#include "runtime/database.hpp"
#include "runtime/log_throttle.hpp"
#include "uplink/outbox/outbox_store.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace roomd {
namespace {

// An idle writer still wakes this often, to evict by age and retry acks that failed.
constexpr auto kMaintenanceEvery = std::chrono::seconds(60);
// Trouble the box cannot fix by itself is logged at most this often.
constexpr auto kWarnEvery = std::chrono::minutes(1);

// ": 1234 MiB free", or nothing when the filesystem cannot say.
std::string free_space(const std::filesystem::path& dir) {
  std::error_code error;
  const auto space = std::filesystem::space(dir, error);
  if (error) return "";
  return ": " + std::to_string(space.available >> 20) + " MiB free";
}

}  // namespace

struct Outbox::Shared {
  explicit Shared(OutboxOptions opts)
      : options(std::move(opts)), store(options), read_db(store.path(), "outbox database") {
    read_db.exec("PRAGMA query_only=1");
    read_after =
        read_db.prepare("SELECT key, text FROM records WHERE key > ?1 ORDER BY key LIMIT ?2");
    stats.epoch = store.epoch();
    publish_totals();
  }

  // Called with `mutex` held (or before the writer starts).
  void publish_totals() {
    const auto& totals = store.totals();
    stats.committed_seq = totals.committed_seq;
    stats.pending = totals.pending;
    stats.bytes = totals.bytes;
    stats.older_pending = totals.older_pending;
    evicted = store.evicted();
    stats.evicted.clear();
    for (const auto& [epoch, kinds] : evicted) {
      for (const auto& [kind, count] : kinds) stats.evicted[kind] += count;
    }
  }

  void log(LogLevel level, std::string message) const {
    if (options.log) {
      options.log(level, std::move(message));
    } else {
      std::cerr << "roomd: " << to_string(level) << ": " << message << '\n';
    }
  }

  const OutboxOptions options;
  OutboxStore store;  // the writer thread's, once it runs

  std::mutex read_mutex;
  Database read_db;
  Statement read_after;

  mutable std::mutex mutex;
  std::condition_variable wake;  // the writer waits on it
  std::condition_variable done;  // flush() waits on it
  // A deque: a batch leaves from the front without moving the records queued behind it.
  std::deque<PendingRecord> records;
  std::vector<Cursor> acks;
  std::vector<Cursor> retry_acks;  // failed to commit; retried with the next transaction
  Clock::time_point first_queued;
  // Appends and acks queued, and those committed or refused: flush() waits for the second.
  std::uint64_t queued = 0;
  std::uint64_t handled = 0;
  std::uint64_t overflowed = 0;  // refused by the full queue since the writer last logged
  std::uint64_t acked_max = 0;   // highest seq of this epoch acknowledged
  bool urgent = false;
  bool stopping = false;
  OutboxStats stats;
  EvictionCounts evicted;
  CommitListener listener;
  std::thread writer;
};

Outbox::Outbox(OutboxOptions options) : shared_(std::make_unique<Shared>(std::move(options))) {
  shared_->writer = std::thread([this] { writer_loop(); });
}

Outbox::~Outbox() {
  stop();
}

void Outbox::stop() {
  Shared& s = *shared_;
  {
    std::lock_guard lock(s.mutex);
    s.stopping = true;
  }
  s.wake.notify_one();
  if (s.writer.joinable() && s.writer.get_id() != std::this_thread::get_id()) s.writer.join();
}

std::uint64_t Outbox::epoch() const {
  return shared_->stats.epoch;  // set before the writer starts, never changed
}

const std::string& Outbox::path() const {
  return shared_->store.path();
}

bool Outbox::append(std::string_view kind, double ts, Json fields) {
  const auto value = value_of(kind, fields);
  return append(kind, value, ts, std::move(fields));
}

bool Outbox::append(std::string_view kind, RecordValue value, double ts, Json fields) {
  Shared& s = *shared_;
  std::lock_guard lock(s.mutex);
  if (s.stopping || s.records.size() >= s.options.queue_max) {
    ++s.stats.refused;
    if (!s.stopping) ++s.overflowed;
    return false;
  }
  s.records.push_back({std::string(kind), value, ts, std::move(fields)});
  ++s.queued;
  if (s.records.size() + s.acks.size() == 1) {
    s.first_queued = Clock::now();
    s.wake.notify_one();
  } else if (s.records.size() == s.options.batch_max) {
    s.wake.notify_one();
  }
  return true;
}

void Outbox::on_committed(CommitListener listener) {
  std::lock_guard lock(shared_->mutex);
  shared_->listener = std::move(listener);
}

std::vector<StoredRecord> Outbox::read_after(Cursor after, std::size_t max) {
  Shared& s = *shared_;
  std::vector<StoredRecord> out;
  if (max == 0) return out;
  std::lock_guard lock(s.read_mutex);
  s.read_after.bind_int64(1, record_key(after))
      .bind_int64(2, static_cast<std::int64_t>(std::min<std::size_t>(max, INT64_MAX)));
  try {
    while (s.read_after.step()) {
      const Cursor at = cursor_of(s.read_after.column_int64(0));
      out.push_back({at.epoch, at.seq, std::string(s.read_after.column_text(1))});
    }
  } catch (...) {
    s.read_after.reset();
    throw;
  }
  s.read_after.reset();
  return out;
}

void Outbox::ack(Cursor record) {
  ack(std::span<const Cursor>(&record, 1));
}

void Outbox::ack(std::span<const Cursor> records) {
  if (records.empty()) return;
  Shared& s = *shared_;
  std::lock_guard lock(s.mutex);
  if (s.stopping) return;  // the records stay and are sent again next time: duplicates only
  const bool was_idle = s.records.empty() && s.acks.empty();
  for (const auto& record : records) {
    s.acks.push_back(record);
    if (record.epoch == s.stats.epoch) s.acked_max = std::max(s.acked_max, record.seq);
  }
  s.queued += records.size();
  if (was_idle) {
    s.first_queued = Clock::now();
    s.wake.notify_one();
  }
}

void Outbox::flush() {
  Shared& s = *shared_;
  std::unique_lock lock(s.mutex);
  const auto target = s.queued;
  if (s.handled >= target) return;
  s.urgent = true;
  s.wake.notify_one();
  s.done.wait(lock, [&] { return s.handled >= target; });
}

OutboxStats Outbox::stats() const {
  const Shared& s = *shared_;
  std::lock_guard lock(s.mutex);
  OutboxStats out = s.stats;
  out.acked_seq = out.older_pending > 0 ? 0 : s.acked_max;
  return out;
}

EvictionCounts Outbox::evicted_by_epoch() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->evicted;
}

void Outbox::writer_loop() {
  Shared& s = *shared_;
  LogThrottle failure_log(kWarnEvery);
  LogThrottle overflow_log(kWarnEvery);
  LogThrottle stuck_log(kWarnEvery);
  std::uint64_t refused_while_failing = 0;
  std::uint64_t stuck_seen = 0;
  const auto has_work = [&] {
    return s.stopping || s.urgent || !s.records.empty() || !s.acks.empty();
  };

  std::unique_lock lock(s.mutex);
  for (;;) {
    const bool woken = s.wake.wait_for(lock, kMaintenanceEvery, has_work);
    if (!s.stopping && !s.urgent && s.records.size() < s.options.batch_max &&
        (!s.records.empty() || !s.acks.empty())) {
      // Group commit: give the first record's companions commit_every to arrive.
      s.wake.wait_until(lock, s.first_queued + s.options.commit_every, [&] {
        return s.stopping || s.urgent || s.records.size() >= s.options.batch_max;
      });
    }
    if (s.stopping && s.records.empty() && s.acks.empty()) break;

    const auto split = s.records.begin() +
                       static_cast<std::ptrdiff_t>(std::min(s.records.size(), s.options.batch_max));
    std::vector<PendingRecord> batch(std::make_move_iterator(s.records.begin()),
                                     std::make_move_iterator(split));
    s.records.erase(s.records.begin(), split);
    if (!s.records.empty()) s.first_queued = Clock::now();
    std::vector<Cursor> acks = std::exchange(s.acks, {});
    const std::size_t fresh_acks = acks.size();
    acks.insert(acks.end(), s.retry_acks.begin(), s.retry_acks.end());
    s.retry_acks.clear();
    if (s.records.empty()) s.urgent = false;
    // Woken for nothing (a flush whose records a previous transaction took); a timeout is
    // the idle maintenance and goes on.
    if (batch.empty() && acks.empty() && woken) continue;
    const auto overflowed = std::exchange(s.overflowed, 0);
    const auto committed_before = s.stats.committed_seq;
    const bool stopping = s.stopping;
    lock.unlock();

    std::optional<StoreFailure> failure;
    try {
      s.store.commit(batch, acks, unix_now());
    } catch (const StoreFailure& error) {
      failure = error;
    }

    lock.lock();
    if (failure) {
      s.stats.refused += batch.size();
      if (!stopping) s.retry_acks = std::move(acks);
    } else {
      s.publish_totals();
    }
    const auto refused_total = s.stats.refused;
    const auto committed = s.stats.committed_seq;
    auto listener = s.listener;
    lock.unlock();

    if (overflowed > 0) {
      if (auto note = overflow_log.pass()) {
        s.log(LogLevel::warn,
              "outbox " + s.store.path() + ": queue full (" + std::to_string(s.options.queue_max) +
                  " records waiting for the disk), " + std::to_string(overflowed) +
                  " records refused; check that the disk keeps up (iostat)" + *note);
      }
    }
    if (failure) {
      refused_while_failing += batch.size();
      if (auto note = failure_log.pass()) {
        std::string cause = failure->no_space() ? "the disk is full or the file cannot grow"
                                                : "the database failed";
        std::string check = failure->no_space()
                                ? "check free space where it lives (df -h " +
                                      s.options.dir.string() + free_space(s.options.dir) +
                                      "), file size limits (ulimit -f, LimitFSIZE=) and "
                                      "outbox.max_bytes; storing resumes by itself when space "
                                      "returns"
                                : "check the file, its directory's permissions and the disk";
        s.log(LogLevel::warn, "outbox " + s.store.path() + ": " + cause + " (" + failure->what() +
                                  "): " + std::to_string(batch.size()) + " records not stored, " +
                                  std::to_string(refused_total) + " refused since start; " + check +
                                  *note);
      }
    } else if (refused_while_failing > 0 && (!batch.empty() || !acks.empty())) {
      s.log(LogLevel::info, "outbox " + s.store.path() + ": storing again after " +
                                std::to_string(refused_while_failing) + " refused records");
      refused_while_failing = 0;
    }
    if (s.store.stuck_passes() != stuck_seen) {
      stuck_seen = s.store.stuck_passes();
      if (auto note = stuck_log.pass()) {
        s.log(LogLevel::warn, "outbox " + s.store.path() +
                                  ": over max_bytes with only `evicted` records left to keep; "
                                  "raise outbox.max_bytes or let the upstream drain" +
                                  *note);
      }
    }
    if (!failure && committed != committed_before && listener) {
      listener(s.stats.epoch, committed);
    }
    // flush() returns after the warnings and the listener: its caller has heard of both.
    lock.lock();
    s.handled += batch.size() + fresh_acks;
    s.done.notify_all();
  }
}

}  // namespace roomd
