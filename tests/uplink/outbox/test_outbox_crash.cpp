// Power-cut safety as far as a process can show it: a child appending in a burst is killed
// with SIGKILL mid-commit, five times; every record it reported committed (through
// on_committed, written to a pipe) must be there afterwards, and the file must be sound.
#include "tests/uplink/outbox/outbox_test_support.hpp"

#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <map>
#include <set>
#include <thread>

namespace roomd {
namespace {

using test::outbox_options;
using test::TempDir;

struct Commit {
  std::uint64_t epoch;
  std::uint64_t seq;
};

[[noreturn]] void append_until_killed(const OutboxOptions& options, int fd) {
  try {
    Outbox outbox(options);
    outbox.on_committed([fd](std::uint64_t epoch, std::uint64_t seq) {
      Commit commit{epoch, seq};
      if (write(fd, &commit, sizeof commit) != sizeof commit) _exit(3);
    });
    for (std::uint64_t i = 0;; ++i) {
      if (!outbox.append("status", unix_now(), {{"name", "volume"}, {"value", i}})) {
        std::this_thread::yield();
      }
    }
  } catch (...) {
    _exit(2);
  }
}

// Reads commits until `enough` arrived (or EOF / 10 s without one); false when the child
// went quiet.
bool read_commits(int fd, std::map<std::uint64_t, std::uint64_t>& last, int enough) {
  int seen = 0;
  while (enough == 0 || seen < enough) {
    pollfd poll_fd{fd, POLLIN, 0};
    if (poll(&poll_fd, 1, 10000) <= 0) return false;
    Commit commit{};
    if (read(fd, &commit, sizeof commit) != sizeof commit) return enough == 0;
    last[commit.epoch] = std::max(last[commit.epoch], commit.seq);
    ++seen;
  }
  return true;
}

TEST_CASE("outbox keeps every reported commit across SIGKILL in the middle of a burst",
          "[outbox]") {
  TempDir dir;
  auto options = outbox_options(dir);
  options.batch_max = 500;
  std::map<std::uint64_t, std::uint64_t> reported;  // epoch -> last seq reported committed
  constexpr int kCycles = 5;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(fds[0]);
      append_until_killed(options, fds[1]);
    }
    close(fds[1]);
    // Killed after a few commits, in whatever the writer is doing then.
    CHECK(read_commits(fds[0], reported, 3 + cycle));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    read_commits(fds[0], reported, 0);  // what it wrote before it died
    close(fds[0]);
  }
  REQUIRE(reported.size() == kCycles);

  Outbox outbox(options);
  CHECK(outbox.epoch() == kCycles + 1);
  std::map<std::uint64_t, std::set<std::uint64_t>> stored;
  Cursor after;
  for (;;) {
    auto page = outbox.read_after(after, 10000);
    if (page.empty()) break;
    for (const auto& record : page) stored[record.epoch].insert(record.seq);
    after = {page.back().epoch, page.back().seq};
  }
  for (const auto& [epoch, last] : reported) {
    INFO("epoch " << epoch << ", last reported seq " << last);
    REQUIRE(last > 0);
    const auto& seqs = stored[epoch];
    CHECK(seqs.size() >= last);
    // Contiguous from 1: nothing committed is missing, nothing stored beyond is out of order.
    CHECK(*seqs.begin() == 1);
    CHECK(*seqs.rbegin() == seqs.size());
  }
  outbox.stop();
  CHECK(test::integrity_check(outbox.path()) == "ok");
}

}  // namespace
}  // namespace roomd
