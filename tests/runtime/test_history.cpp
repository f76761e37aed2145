#include "runtime/history.hpp"

#include "runtime/database.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

using namespace roomd;
using roomd::test::TempDir;

namespace {

std::string history_file(const TempDir& dir) {
  return dir.path() + "/history.db";
}

HistoryConfig bounded(std::size_t points, std::chrono::milliseconds age = std::chrono::hours(1)) {
  HistoryConfig bounds;
  bounds.max_points = points;
  bounds.max_age = age;
  return bounds;
}

HistoryQuery everything(bool ascending = true) {
  HistoryQuery query;
  query.limit = 1000000;
  query.ascending = ascending;
  return query;
}

std::vector<Json> values(const std::vector<HistoryPoint>& points) {
  std::vector<Json> out;
  for (const auto& point : points) out.push_back(point.value);
  return out;
}

std::int64_t rows_on_disk(const std::string& path) {
  Database db(path, "test");
  auto count = db.prepare("SELECT COUNT(*) FROM points");
  count.step();
  return count.column_int64(0);
}

}  // namespace

TEST_CASE("history keeps every change of a variable in order with its time") {
  TempDir dir;
  History history(history_file(dir), HistoryConfig{});
  StateStore store;
  history.attach(store);
  store.set("mod-a", "volume", 10);
  store.set("mod-a", "volume", 10);  // no change: nothing recorded
  store.set("mod-a", "volume", 20);
  store.set("mod-a", "power", true);
  store.set("mod-a", "volume", 30);

  // Readable at once, from the queue, then the same from disk.
  for (bool flushed : {false, true}) {
    if (flushed) history.flush();
    auto points = history.read("mod-a", "volume", everything());
    CHECK(values(points) == std::vector<Json>{10, 20, 30});
    REQUIRE(points.size() == 3);
    CHECK(points[0].seq < points[1].seq);
    CHECK(points[0].t <= points[1].t);
    CHECK(points[1].t <= points[2].t);
    CHECK(points[2].t > 1.7e9);
    CHECK(values(history.read("mod-a", "volume", everything(false))) ==
          std::vector<Json>{30, 20, 10});
    CHECK(values(history.read("mod-a", "power", everything())) == std::vector<Json>{true});
    CHECK(history.read("mod-b", "volume", everything()).empty());
  }
}

TEST_CASE("a history query takes its range inclusively and its limit from the chosen end") {
  TempDir dir;
  History history(history_file(dir), HistoryConfig{});
  for (int i = 1; i <= 6; ++i) history.record("mod-a", "level", i);
  history.flush();
  auto all = history.read("mod-a", "level", everything());
  REQUIRE(all.size() == 6);

  HistoryQuery query;  // the defaults: the newest point
  CHECK(values(history.read("mod-a", "level", query)) == std::vector<Json>{6});
  query.since = all[1].t;
  query.until = all[3].t;
  query.limit = 100;
  query.ascending = true;
  CHECK(values(history.read("mod-a", "level", query)) == std::vector<Json>{2, 3, 4});
  query.limit = 2;
  CHECK(values(history.read("mod-a", "level", query)) == std::vector<Json>{2, 3});
  query.ascending = false;
  CHECK(values(history.read("mod-a", "level", query)) == std::vector<Json>{4, 3});
  query.since = all[5].t + 1;
  query.until.reset();
  CHECK(history.read("mod-a", "level", query).empty());
}

TEST_CASE("history holds at most max_points per variable and keeps the newest") {
  TempDir dir;
  History history(history_file(dir), bounded(5));
  for (int i = 1; i <= 12; ++i) history.record("mod-a", "level", i);
  for (int i = 1; i <= 3; ++i) history.record("mod-a", "other", i);
  history.flush();
  CHECK(values(history.read("mod-a", "level", everything())) ==
        std::vector<Json>{8, 9, 10, 11, 12});
  CHECK(values(history.read("mod-a", "other", everything())) == std::vector<Json>{1, 2, 3});
  CHECK(rows_on_disk(history_file(dir)) == 8);
  // Later batches trim as well.
  history.record("mod-a", "level", 13);
  history.flush();
  CHECK(values(history.read("mod-a", "level", everything())) ==
        std::vector<Json>{9, 10, 11, 12, 13});
  CHECK(rows_on_disk(history_file(dir)) == 8);
}

TEST_CASE("history forgets points older than max_age") {
  TempDir dir;
  {
    History history(history_file(dir), bounded(100, std::chrono::milliseconds(300)));
    history.record("mod-a", "level", 1);
    history.flush();
    CHECK(history.read("mod-a", "level", everything()).size() == 1);
    // Reads apply the age at once; the disk is pruned on the writer's schedule and at start.
    CHECK(roomd::test::wait_until(
        [&] { return history.read("mod-a", "level", everything()).empty(); }));
  }
  CHECK(rows_on_disk(history_file(dir)) == 1);
  History reopened(history_file(dir), bounded(100, std::chrono::milliseconds(300)));
  CHECK(rows_on_disk(history_file(dir)) == 0);
}

TEST_CASE("history survives a restart and its sequence carries on") {
  TempDir dir;
  std::uint64_t last_seq = 0;
  {
    History history(history_file(dir), HistoryConfig{});
    history.record("mod-a", "input", "hdmi1");
    history.record("mod-a", "input", "hdmi2");
    last_seq = history.read("mod-a", "input", HistoryQuery{}).at(0).seq;
  }  // the destructor commits what is queued
  History history(history_file(dir), HistoryConfig{});
  CHECK(values(history.read("mod-a", "input", everything())) ==
        std::vector<Json>{"hdmi1", "hdmi2"});
  history.record("mod-a", "input", "hdmi3");
  auto newest = history.read("mod-a", "input", HistoryQuery{});
  REQUIRE(newest.size() == 1);
  CHECK(newest[0].value == "hdmi3");
  CHECK(newest[0].seq == last_seq + 1);
}

TEST_CASE("an erased variable leaves a null point in its history") {
  TempDir dir;
  History history(history_file(dir), HistoryConfig{});
  StateStore store;
  history.attach(store);
  store.set("mod-a", "power", true);
  store.erase("mod-a", "power");
  CHECK(values(history.read("mod-a", "power", everything())) == std::vector<Json>{true, nullptr});
}

TEST_CASE("history listeners hear every point in the order recorded") {
  TempDir dir;
  History history(history_file(dir), HistoryConfig{});
  std::mutex mutex;
  std::vector<std::pair<std::string, std::uint64_t>> heard;
  auto subscription = history.subscribe(
      [&](std::string_view module_id, std::string_view name, const HistoryPoint& point) {
        std::lock_guard lock(mutex);
        heard.emplace_back(std::string(module_id) + "." + std::string(name), point.seq);
      });
  std::vector<std::thread> setters;
  for (int t = 0; t < 4; ++t)
    setters.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) history.record("mod-" + std::to_string(t), "level", i);
    });
  for (auto& setter : setters) setter.join();
  subscription.reset();
  history.record("mod-a", "level", 1);  // after the end: not heard
  REQUIRE(heard.size() == 1000);
  for (std::size_t i = 1; i < heard.size(); ++i) CHECK(heard[i - 1].second + 1 == heard[i].second);
}

TEST_CASE("recording never waits for the disk and a locked database is retried") {
  TempDir dir;
  History history(history_file(dir), HistoryConfig{});
  std::mutex mutex;
  std::vector<std::string> errors;
  history.on_error([&](const std::string& message) {
    std::lock_guard lock(mutex);
    errors.push_back(message);
  });
  StateStore store;
  history.attach(store);
  // Another connection holds the write lock, as a stuck disk would.
  Database blocker(history_file(dir), "blocker");
  blocker.exec("BEGIN IMMEDIATE");
  for (int i = 0; i < 10000; ++i) store.set("mod-a", "level", i);
  auto newest = history.read("mod-a", "level", HistoryQuery{});
  REQUIRE(newest.size() == 1);
  CHECK(newest[0].value == 9999);
  // The writer tried, failed with the file's name, and keeps the points queued.
  CHECK(roomd::test::wait_until([&] {
    std::lock_guard lock(mutex);
    return !errors.empty();
  }));
  {
    std::lock_guard lock(mutex);
    CHECK_THAT(errors.front(), Catch::Contains("history database " + history_file(dir)));
  }
  blocker.exec("COMMIT");
  CHECK(roomd::test::wait_until(
      [&] {
        try {
          history.flush();
          return true;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(60)));
  CHECK(rows_on_disk(history_file(dir)) == 10000);
  CHECK(history.dropped() == 0);
}
