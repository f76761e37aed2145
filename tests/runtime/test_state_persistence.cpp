#include "runtime/database.hpp"
#include "runtime/state_persistence.hpp"
#include "runtime/state_store.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace roomd {
namespace {

// A private directory under /tmp, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/roomd-state-test-XXXXXX";
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Reads a stored value through a separate connection, as the next boot would.
std::optional<std::string> stored_value(const std::string& db_path, const std::string& module,
                                        const std::string& name) {
  Database db(db_path);
  auto select = db.prepare("SELECT value FROM state WHERE module = ?1 AND name = ?2");
  select.bind_text(1, module).bind_text(2, name);
  if (!select.step()) return std::nullopt;
  return std::string(select.column_text(0));
}

TEST_CASE("state restored after restart", "[state]") {
  TempDir dir;
  const auto db_path = dir.file("state/roomd.db");  // the directory is created on open
  {
    StateStore store;
    StatePersistence persistence(db_path);
    persistence.restore_into(store);
    persistence.attach(store);
    store.set("display_1", "power", true);
    store.set("display_1", "input", "hdmi1");
    store.set("display_1", "volume", 42.5);
    store.set("switcher", "routes", Json{{"1", 2}, {"2", Json::array({3, 4})}});
    store.set("switcher", "label", nullptr);
    store.set("display_1", "error", "lamp");
    store.erase("display_1", "error");
    // No flush: destruction must not lose what was set.
  }
  StateStore store;
  int notified = 0;
  auto sub = store.subscribe_all([&](auto, auto, const Json&) { ++notified; });
  StatePersistence persistence(db_path);
  persistence.restore_into(store);

  CHECK(notified == 0);
  CHECK(store.get("display_1", "power") == Json(true));
  CHECK(store.get("display_1", "input") == Json("hdmi1"));
  CHECK(store.get("display_1", "volume") == Json(42.5));
  CHECK(store.get("switcher", "routes") == Json{{"1", 2}, {"2", Json::array({3, 4})}});
  REQUIRE(store.get("switcher", "label").has_value());
  CHECK(store.get("switcher", "label")->is_null());
  CHECK_FALSE(store.get("display_1", "error").has_value());
  CHECK(store.module_state("display_1").size() == 3);
}

TEST_CASE("erasing a persisted variable deletes its row", "[state]") {
  TempDir dir;
  const auto db_path = dir.file("roomd.db");
  StateStore store;
  StatePersistence persistence(db_path);
  persistence.attach(store);
  store.set("m", "v", "x");
  persistence.flush();
  CHECK(stored_value(db_path, "m", "v") == std::string("\"x\""));
  store.erase("m", "v");
  persistence.flush();
  CHECK_FALSE(stored_value(db_path, "m", "v").has_value());
}

TEST_CASE("a burst of changes to one key is coalesced to its final value", "[state]") {
  TempDir dir;
  const auto db_path = dir.file("roomd.db");
  StateStore store;
  StatePersistence persistence(db_path);
  persistence.attach(store);
  for (int i = 0; i < 1000; ++i) store.set("sensor", "level", i);
  persistence.flush();
  CHECK(stored_value(db_path, "sensor", "level") == std::string("999"));

  Database db(db_path);
  auto count = db.prepare("SELECT count(*) FROM state");
  REQUIRE(count.step());
  CHECK(count.column_int64(0) == 1);
}

TEST_CASE("flush makes every change so far visible to another connection", "[state]") {
  TempDir dir;
  const auto db_path = dir.file("roomd.db");
  StateStore store;
  StatePersistence persistence(db_path);
  persistence.attach(store);
  constexpr int kThreads = 4;
  constexpr int kKeys = 700;  // more than one batch's worth per thread
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kKeys; ++i) {
        store.set("module" + std::to_string(t), "v" + std::to_string(i), i);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  persistence.flush();

  Database db(db_path);
  auto count = db.prepare("SELECT count(*) FROM state");
  REQUIRE(count.step());
  CHECK(count.column_int64(0) == kThreads * kKeys);
  CHECK(stored_value(db_path, "module3", "v699") == std::string("699"));
}

TEST_CASE("a failed commit is reported, kept queued and retried", "[state]") {
  TempDir dir;
  const auto db_path = dir.file("roomd.db");
  StateStore store;
  StatePersistence persistence(db_path);
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  persistence.on_error([&](const std::string& message) {
    std::lock_guard lock(errors_mutex);
    errors.push_back(message);
  });
  persistence.attach(store);

  Database other(db_path);
  other.exec("DROP TABLE state");
  store.set("m", "v", 1);
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(persistence.flush(), Contains("no such table: state"));
  {
    std::lock_guard lock(errors_mutex);
    REQUIRE_FALSE(errors.empty());
    CHECK_THAT(errors.front(), Contains("state database " + db_path));
  }

  other.exec(
      "CREATE TABLE state (module TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, "
      "updated REAL, PRIMARY KEY (module, name))");
  store.set("m", "w", 2);
  persistence.flush();
  CHECK(stored_value(db_path, "m", "v") == std::string("1"));
  CHECK(stored_value(db_path, "m", "w") == std::string("2"));
}

TEST_CASE("log levels round trip", "[state]") {
  TempDir dir;
  const auto db_path = dir.file("roomd.db");
  {
    StatePersistence persistence(db_path);
    CHECK(persistence.load_log_levels().empty());
    persistence.save_log_level("display_1", "debug");
    persistence.save_log_level("switcher", "warn");
    persistence.save_log_level("display_1", "trace");  // the latest wins
  }
  StatePersistence persistence(db_path);
  using Levels = std::vector<std::pair<std::string, std::string>>;
  CHECK(persistence.load_log_levels() == Levels{{"display_1", "trace"}, {"switcher", "warn"}});
  persistence.save_log_level("switcher", "info");
  // load_log_levels sees what was queued before it, without an explicit flush.
  CHECK(persistence.load_log_levels() == Levels{{"display_1", "trace"}, {"switcher", "info"}});
}

TEST_CASE("the state database runs in WAL mode", "[state]") {
  TempDir dir;
  const auto db_path = dir.file("roomd.db");
  StatePersistence persistence(db_path);
  Database db(db_path);
  auto mode = db.prepare("PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.column_text(0) == "wal");
  auto sync = db.prepare("PRAGMA synchronous");
  REQUIRE(sync.step());
  CHECK(sync.column_int64(0) == 1);  // NORMAL
}

TEST_CASE("an unwritable state path gives a clear error", "[state]") {
  TempDir dir;
  // A regular file where the state directory should be: fails even when running as root.
  const auto blocker = dir.file("not_a_dir");
  std::ofstream(blocker) << "x";
  const auto db_path = blocker + "/state/roomd.db";
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(StatePersistence(db_path), Contains("state database " + db_path + ": ") &&
                                                   Contains("check state_dir permissions"));

  // The same for a path SQLite itself refuses: the database file is a directory.
  const auto dir_path = dir.file("dir.db");
  std::filesystem::create_directory(dir_path);
  CHECK_THROWS_WITH(StatePersistence(dir_path), Contains("state database " + dir_path + ": "));
}

TEST_CASE("database statements report SQLite errors with the path", "[state]") {
  TempDir dir;
  const auto db_path = dir.file("plain.db");
  Database db(db_path, "outbox");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT NOT NULL, number REAL)");
  auto insert = db.prepare("INSERT INTO t (id, text, number) VALUES (?1, ?2, ?3)");
  insert.bind_int64(1, 7).bind_text(2, "seven").bind_double(3, 7.5).run();
  CHECK(db.changes() == 1);
  CHECK(db.last_insert_rowid() == 7);

  insert.bind_int64(1, 8).bind_null(2);
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(insert.step(), Contains("outbox " + db_path + ": NOT NULL constraint"));
  // After the failure the statement was reset and can be reused.
  insert.reset();
  insert.bind_int64(1, 8).bind_text(2, "eight").run();

  auto select = db.prepare("SELECT id, text, number FROM t ORDER BY id");
  REQUIRE(select.step());
  CHECK(select.column_int64(0) == 7);
  CHECK(select.column_text(1) == "seven");
  CHECK(select.column_double(2) == 7.5);
  REQUIRE(select.step());
  CHECK(select.column_is_null(2));
  CHECK_FALSE(select.step());

  CHECK_THROWS_WITH(db.exec("SELECT * FROM missing"),
                    Contains("outbox " + db_path + ": no such table: missing"));
}

}  // namespace
}  // namespace roomd
