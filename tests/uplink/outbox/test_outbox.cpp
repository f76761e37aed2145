#include "tests/support/wait.hpp"
#include "tests/uplink/outbox/outbox_test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

namespace roomd {
namespace {

using test::outbox_options;
using test::read_all;
using test::TempDir;

Json status_fields(int value) {
  return {{"sys", "sys-1"},    {"mod", "Display"}, {"index", 1},
          {"module", "mod-1"}, {"name", "volume"}, {"value", value}};
}

TEST_CASE("outbox records survive a reopen and the epoch grows with every start", "[outbox]") {
  TempDir dir;
  const double ts = std::floor(unix_now()) + 0.5;
  {
    Outbox outbox(outbox_options(dir));
    CHECK(outbox.epoch() == 1);
    CHECK(outbox.path() == dir.path() + "/outbox.db");
    outbox.append("status", ts, status_fields(1));
    outbox.append("event", ts + 1, {{"module", "mod-1"}, {"event", "connected"}, {"detail", ""}});
    outbox.flush();
    CHECK(outbox.stats().committed_seq == 2);
  }
  Outbox reopened(outbox_options(dir));
  CHECK(reopened.epoch() == 2);
  auto records = read_all(reopened);
  REQUIRE(records.size() == 2);
  CHECK(records[0] == Json{{"box", "room-101"},
                           {"epoch", 1},
                           {"seq", 1},
                           {"ts", ts},
                           {"kind", "status"},
                           {"sys", "sys-1"},
                           {"mod", "Display"},
                           {"index", 1},
                           {"module", "mod-1"},
                           {"name", "volume"},
                           {"value", 1}});
  CHECK(records[1]["kind"] == "event");
  CHECK(records[1]["seq"] == 2);
  auto stats = reopened.stats();
  CHECK(stats.epoch == 2);
  CHECK(stats.committed_seq == 0);
  CHECK(stats.pending == 2);
  CHECK(stats.older_pending == 2);
  CHECK(stats.bytes ==
        reopened.read_after({}, 10)[0].text.size() + reopened.read_after({}, 10)[1].text.size());
}

TEST_CASE("outbox seqs count up from 1 without gaps in append order, across threads", "[outbox]") {
  TempDir dir;
  Outbox outbox(outbox_options(dir));
  std::mutex mutex;
  std::vector<std::uint64_t> commits;
  outbox.on_committed([&](std::uint64_t epoch, std::uint64_t last) {
    std::lock_guard lock(mutex);
    CHECK(epoch == 1);
    commits.push_back(last);
  });
  constexpr int kThreads = 4;
  constexpr int kEach = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&outbox, t] {
      for (int i = 0; i < kEach; ++i) {
        outbox.append("status", unix_now(), {{"name", "t" + std::to_string(t)}, {"value", i}});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  outbox.flush();

  auto records = read_all(outbox);
  REQUIRE(records.size() == kThreads * kEach);
  std::map<std::string, int> next_value;
  for (std::size_t i = 0; i < records.size(); ++i) {
    CHECK(records[i]["seq"] == i + 1);
    // Each thread's own records keep their order.
    auto& expected = next_value[records[i]["name"].get<std::string>()];
    CHECK(records[i]["value"] == expected);
    ++expected;
  }
  std::lock_guard lock(mutex);
  REQUIRE(!commits.empty());
  CHECK(std::is_sorted(commits.begin(), commits.end()));
  CHECK(commits.back() == kThreads * kEach);
  CHECK(commits.size() > 1);  // batch_max 100: grouped, but never all in one transaction
}

TEST_CASE("outbox read_after gives older epochs first and resumes after a cursor", "[outbox]") {
  TempDir dir;
  for (int boot = 1; boot <= 3; ++boot) {
    Outbox outbox(outbox_options(dir));
    for (int i = 0; i < 3; ++i) outbox.append("exec", unix_now(), {{"method", "power"}, {"i", i}});
  }
  Outbox outbox(outbox_options(dir));
  auto all = outbox.read_after({}, 100);
  REQUIRE(all.size() == 9);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].epoch == i / 3 + 1);
    CHECK(all[i].seq == i % 3 + 1);
    auto parsed = Json::parse(all[i].text);
    CHECK(parsed["epoch"] == all[i].epoch);
    CHECK(parsed["seq"] == all[i].seq);
  }
  auto page = outbox.read_after({2, 2}, 2);
  REQUIRE(page.size() == 2);
  CHECK(Cursor{page[0].epoch, page[0].seq} == Cursor{2, 3});
  CHECK(Cursor{page[1].epoch, page[1].seq} == Cursor{3, 1});
  CHECK(outbox.read_after({3, 3}, 10).empty());
  CHECK(outbox.read_after({}, 0).empty());
}

TEST_CASE("outbox ack deletes only the acknowledged records", "[outbox]") {
  TempDir dir;
  {
    Outbox outbox(outbox_options(dir));
    for (int i = 0; i < 3; ++i) outbox.append("event", unix_now(), {{"event", "connected"}});
  }
  Outbox outbox(outbox_options(dir));
  for (int i = 0; i < 4; ++i) outbox.append("event", unix_now(), {{"event", "restarted"}});
  outbox.flush();
  auto stats = outbox.stats();
  CHECK(stats.pending == 7);
  CHECK(stats.acked_seq == 0);

  std::vector<Cursor> acks{{1, 1}, {1, 3}, {2, 2}, {9, 9}};  // {9, 9}: unknown, ignored
  outbox.ack(acks);
  outbox.flush();
  std::vector<Cursor> left;
  for (const auto& record : outbox.read_after({}, 100)) left.push_back({record.epoch, record.seq});
  CHECK(left == std::vector<Cursor>{{1, 2}, {2, 1}, {2, 3}, {2, 4}});
  stats = outbox.stats();
  CHECK(stats.pending == 4);
  CHECK(stats.older_pending == 1);
  CHECK(stats.acked_seq == 0);  // epoch 1 still drains

  outbox.ack({1, 2});
  outbox.flush();
  CHECK(outbox.stats().acked_seq == 2);
  CHECK(outbox.stats().to_json()["acked_seq"] == 2);
  outbox.ack({2, 1});
  outbox.flush();
  CHECK(outbox.stats().acked_seq == 2);
  CHECK(outbox.stats().pending == 2);
}

TEST_CASE("outbox commits grouped appends within commit_every without a flush", "[outbox]") {
  TempDir dir;
  auto options = outbox_options(dir);
  options.batch_max = 1000;
  Outbox outbox(options);
  std::atomic<std::uint64_t> last{0};
  outbox.on_committed([&](std::uint64_t, std::uint64_t seq) { last = seq; });
  for (int i = 0; i < 10; ++i) outbox.append("status", unix_now(), status_fields(i));
  CHECK(test::wait_until([&] { return last == 10; }));
  CHECK(outbox.read_after({}, 100).size() == 10);
}

TEST_CASE("outbox refuses appends beyond its queue and after stop, without blocking", "[outbox]") {
  TempDir dir;
  auto options = outbox_options(dir);
  options.queue_max = 3;
  options.commit_every = std::chrono::hours(1);  // nothing leaves the queue until flush
  options.batch_max = 1000;
  Outbox outbox(options);
  int accepted = 0;
  for (int i = 0; i < 5; ++i)
    accepted += outbox.append("status", unix_now(), status_fields(i)) ? 1 : 0;
  CHECK(accepted == 3);
  CHECK(outbox.stats().refused == 2);
  outbox.flush();
  CHECK(outbox.stats().committed_seq == 3);
  outbox.stop();
  CHECK_FALSE(outbox.append("status", unix_now(), status_fields(9)));
  CHECK(outbox.stats().refused == 3);
}

TEST_CASE("outbox stop commits what is still queued", "[outbox]") {
  TempDir dir;
  {
    auto options = outbox_options(dir);
    options.commit_every = std::chrono::hours(1);
    options.batch_max = 1000;
    Outbox outbox(options);
    for (int i = 0; i < 50; ++i) outbox.append("status", unix_now(), status_fields(i));
  }
  Outbox reopened(outbox_options(dir));
  CHECK(reopened.read_after({}, 100).size() == 50);
}

TEST_CASE("outbox cannot open a file it cannot write and says which", "[outbox]") {
  TempDir dir;
  auto options = outbox_options(dir);
  options.dir = dir.path() + "/not-a-dir";
  { std::ofstream(options.dir.string()) << "x"; }
  CHECK_THROWS_WITH(Outbox(options),
                    Catch::Contains("outbox database") && Catch::Contains(options.dir.string()));
}

}  // namespace
}  // namespace roomd
