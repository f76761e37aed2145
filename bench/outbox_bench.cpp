// Durable appends per second through the outbox's group commit, against the anchor of a raw
// SQLite WAL insert loop with one transaction per insert and synchronous=FULL (what a naive
// outbox does). A record counts once on_committed reported it durable. Also the time an
// append() takes on the caller's thread (the event loop's cost). Not a test: it prints numbers.
// Usage: roomd_bench_outbox [records] [dir]   (dir: where the databases go, default /tmp)
#include "base/wall_clock.hpp"
#include "runtime/database.hpp"
#include "uplink/outbox/outbox.hpp"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

roomd::Json status_fields(std::uint64_t i) {
  return {{"sys", "sys-101"},        {"mod", "Display"}, {"index", 1},
          {"module", "mod-display"}, {"name", "volume"}, {"value", static_cast<int>(i % 100)}};
}

std::filesystem::path fresh_dir(const std::filesystem::path& base, const char* name) {
  auto dir = base / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// One transaction per insert, synchronous=FULL: every record pays its own fsync.
double raw_inserts_per_second(const std::filesystem::path& dir, int inserts) {
  roomd::Database db((dir / "raw.db").string(), "bench database");
  db.exec("PRAGMA synchronous=FULL");
  db.exec("CREATE TABLE records (key INTEGER PRIMARY KEY, text TEXT NOT NULL)");
  auto insert = db.prepare("INSERT INTO records (key, text) VALUES (?1, ?2)");
  const auto text =
      roomd::record_text("room-101", {1, 1}, roomd::unix_now(), "status", status_fields(1));
  const auto start = Clock::now();
  for (int i = 1; i <= inserts; ++i) {
    db.exec("BEGIN");
    insert.bind_int64(1, i).bind_text(2, text).run();
    db.exec("COMMIT");
  }
  return inserts / std::chrono::duration<double>(Clock::now() - start).count();
}

struct OutboxFigures {
  double per_second = 0;
  std::uint64_t commits = 0;
  double append_p99_us = 0;
  double append_max_us = 0;
};

// Appends `records` from one thread as fast as it can (a burst) and waits until the last is
// reported durable.
OutboxFigures outbox_appends(const std::filesystem::path& dir, std::uint64_t records,
                             bool sync_full) {
  roomd::OutboxOptions options;
  options.dir = dir;
  options.box_id = "room-101";
  options.sync_full = sync_full;
  options.queue_max = records;  // the burst is measured, not the queue bound
  roomd::Outbox outbox(options);
  std::atomic<std::uint64_t> durable{0};
  std::atomic<std::uint64_t> commits{0};
  outbox.on_committed([&](std::uint64_t, std::uint64_t seq) {
    durable = seq;
    ++commits;
  });
  std::vector<double> append_us;
  append_us.reserve(records);
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < records; ++i) {
    const auto before = Clock::now();
    outbox.append("status", roomd::RecordValue::telemetry, roomd::unix_now(), status_fields(i));
    append_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - before).count());
  }
  while (durable < records) std::this_thread::sleep_for(std::chrono::microseconds(200));
  OutboxFigures figures;
  figures.per_second = records / std::chrono::duration<double>(Clock::now() - start).count();
  figures.commits = commits;
  std::sort(append_us.begin(), append_us.end());
  figures.append_p99_us = append_us[append_us.size() * 99 / 100];
  figures.append_max_us = append_us.back();
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t records = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  const std::filesystem::path base = argc > 2 ? argv[2] : "/tmp/roomd-outbox-bench";
  constexpr int kRawInserts = 2000;

  const double raw = raw_inserts_per_second(fresh_dir(base, "raw"), kRawInserts);
  std::printf("raw SQLite WAL, one transaction per insert, synchronous=FULL: %.0f records/s\n",
              raw);
  for (bool sync_full : {true, false}) {
    auto figures =
        outbox_appends(fresh_dir(base, sync_full ? "full" : "normal"), records, sync_full);
    std::printf(
        "outbox group commit, synchronous=%s: %.0f records/s durable (%.0fx the anchor), "
        "%llu commits of %.0f records on average; append() on the caller: p99 %.1f us, "
        "max %.0f us\n",
        sync_full ? "FULL" : "NORMAL", figures.per_second, figures.per_second / raw,
        static_cast<unsigned long long>(figures.commits),
        static_cast<double>(records) /
            static_cast<double>(std::max<std::uint64_t>(1, figures.commits)),
        figures.append_p99_us, figures.append_max_us);
  }
  std::filesystem::remove_all(base);
  return 0;
}
