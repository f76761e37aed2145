// Keeps the state store's current values and the per-module log levels in SQLite in the state
// directory, so a panel that connects right after a reboot sees the last known state. Changes
// are coalesced per key and committed by one writer thread, never on the thread that set them.
#pragma once

#include "runtime/database.hpp"
#include "runtime/sdk/subscription.hpp"
#include "runtime/state_store.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace roomd {

class StatePersistence {
 public:
  // Opens (creating) the database and its schema and starts the writer thread. Throws
  // std::runtime_error naming the file when it cannot be opened.
  explicit StatePersistence(const std::string& db_path);
  // Commits everything still queued, then stops the writer.
  ~StatePersistence();
  StatePersistence(const StatePersistence&) = delete;
  StatePersistence& operator=(const StatePersistence&) = delete;

  // Loads every persisted value with StateStore::restore (no notifications). Call at boot,
  // before modules start and before attach().
  void restore_into(StateStore& store);
  // (module id, level name) pairs saved by save_log_level, ordered by module id.
  std::vector<std::pair<std::string, std::string>> load_log_levels();

  // Persists every later change of `store`. The store must outlive this object.
  void attach(StateStore& store);
  void save_log_level(std::string_view module_id, std::string_view level);

  // Blocks until everything queued before the call is committed. Throws the database error
  // when the commit failed (the data stays queued and is retried).
  void flush();

  // Where the writer thread reports failed commits and unreadable rows (default: stderr).
  void on_error(std::function<void(const std::string& message)> handler);

  const std::string& path() const { return db_.path(); }

 private:
  struct Queue;
  struct Writes;

  void writer_loop();
  void commit(Writes& writes);
  void report(const std::string& message);

  std::shared_ptr<Queue> queue_;
  // One connection, used by the writer thread and by the boot-time reads; db_mutex_ keeps
  // them apart.
  std::mutex db_mutex_;
  Database db_;
  Statement upsert_state_;
  Statement delete_state_;
  Statement upsert_level_;
  std::vector<Subscription> subscriptions_;
  std::thread writer_;
};

}  // namespace roomd
