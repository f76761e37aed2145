// The disk fills up: made by lowering this process's RLIMIT_FSIZE (with SIGXFSZ ignored), so
// that SQLite's writes past the limit fail with EFBIG, which SQLite reports as
// SQLITE_IOERR_WRITE (SQLITE_FULL for a short write): the same path as ENOSPC on a full
// filesystem, the batch rolled back and refused.
#include "tests/uplink/outbox/outbox_test_support.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <mutex>

namespace roomd {
namespace {

using test::outbox_options;
using test::TempDir;

// Caps the size any file of this process may grow to, until destroyed.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
  }
  ~FileSizeLimit() { lift(); }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

  void lift() {
    if (lifted_) return;
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
    lifted_ = true;
  }

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = SIG_DFL;
  bool lifted_ = false;
};

std::uintmax_t size_or_zero(const std::filesystem::path& path) {
  std::error_code error;
  auto size = std::filesystem::file_size(path, error);
  return error ? 0 : size;
}

struct LogLines {
  std::mutex mutex;
  std::vector<std::pair<LogLevel, std::string>> lines;
  std::size_t count(LogLevel level) {
    std::lock_guard lock(mutex);
    return static_cast<std::size_t>(std::count_if(
        lines.begin(), lines.end(), [&](const auto& line) { return line.first == level; }));
  }
};

TEST_CASE(
    "outbox survives a full disk: refuses and counts, keeps accepting, resumes when "
    "space returns",
    "[outbox]") {
  TempDir dir;
  auto options = outbox_options(dir);
  LogLines log;
  options.log = [&log](LogLevel level, std::string message) {
    std::lock_guard lock(log.mutex);
    log.lines.emplace_back(level, std::move(message));
  };
  // One transaction per append_batch (its flush), all of the same size: a batch that did not
  // fit cannot be followed by a smaller one that does.
  options.commit_every = std::chrono::hours(1);
  options.batch_max = 1000;
  Outbox outbox(options);
  const std::string padding(900, 'x');
  auto append_batch = [&](int n) {
    for (int i = 0; i < n; ++i) {
      REQUIRE(outbox.append("log", unix_now(), {{"level", "error"}, {"msg", padding}}));
    }
    outbox.flush();
  };
  append_batch(50);
  REQUIRE(outbox.stats().committed_seq == 50);

  const auto db = std::filesystem::path(outbox.path());
  const auto largest = std::max(size_or_zero(db), size_or_zero(db.string() + "-wal"));
  std::uint64_t committed_when_full = 0;
  {
    FileSizeLimit limit(largest + 64 * 1024);
    for (int round = 0; round < 200 && outbox.stats().refused == 0; ++round) append_batch(50);
    REQUIRE(outbox.stats().refused > 0);
    // Still accepting (and refusing) without blocking; one warning a minute, not one a batch.
    const auto refused = outbox.stats().refused;
    committed_when_full = outbox.stats().committed_seq;
    append_batch(50);
    append_batch(50);
    CHECK(outbox.stats().refused == refused + 100);
    CHECK(outbox.stats().committed_seq == committed_when_full);
    CHECK(log.count(LogLevel::warn) == 1);
    {
      std::lock_guard lock(log.mutex);
      const auto& warning = log.lines.front().second;
      CHECK_THAT(warning, Catch::Contains(outbox.path()) &&
                              Catch::Contains("disk is full or the file cannot grow") &&
                              Catch::Contains("SQLITE_IOERR_WRITE") &&
                              Catch::Contains("df -h " + dir.path() + ": ") &&
                              Catch::Contains("refused since start"));
    }
    CHECK(outbox.stats().to_json()["refused"] == outbox.stats().refused);
    limit.lift();
  }

  // Space is back: the next records are stored, seqs continuing without a gap.
  append_batch(10);
  CHECK(outbox.stats().committed_seq == committed_when_full + 10);
  const auto tail = outbox.read_after({1, committed_when_full}, 100);
  REQUIRE(tail.size() == 10);
  CHECK(tail.front().seq == committed_when_full + 1);
  CHECK(log.count(LogLevel::info) == 1);
  outbox.stop();
  CHECK(test::integrity_check(outbox.path()) == "ok");
  Outbox reopened(options);
  CHECK(reopened.read_after({}, 100000).size() == committed_when_full + 10);
}

}  // namespace
}  // namespace roomd
