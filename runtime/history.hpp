// Every status change with its time, kept in SQLite (history.db in the state directory) and
// bounded per variable by count and age, so clients can read what happened before they
// connected. Changes are queued on the setter's thread and committed by a writer thread;
// reads see what is still queued too, so a change is readable the moment it happened.
#pragma once

#include "base/json.hpp"
#include "config/config.hpp"
#include "runtime/database.hpp"
#include "runtime/sdk/subscription.hpp"
#include "runtime/state_store.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace roomd {

struct HistoryPoint {
  std::uint64_t seq = 0;  // grows with every recorded change, across restarts
  double t = 0;           // Unix seconds with a fraction
  Json value;             // null: the variable was erased
};

struct HistoryQuery {
  std::optional<double> since;  // inclusive
  std::optional<double> until;  // inclusive
  std::size_t limit = 1;
  bool ascending = false;  // false: newest first
};

class History {
 public:
  // A recorded point, in the order recorded (seq order). Runs on the setter's thread under the
  // history's lock: post the work, never call the history from here.
  using Listener = std::function<void(std::string_view module_id, std::string_view name,
                                      const HistoryPoint& point)>;

  // Opens (creating) the database and starts the writer. Throws std::runtime_error naming the
  // file when it cannot be opened.
  History(const std::string& db_path, HistoryConfig bounds);
  // Commits what is queued, then stops the writer.
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Records every later change of `store`, which must outlive this object.
  void attach(StateStore& store);
  // Records one change now; attach() calls this.
  void record(std::string_view module_id, std::string_view name, const Json& value);

  // The points of one variable matching `query`, at most its limit, sorted by seq. Reads the
  // database on the calling thread (an indexed query over one variable's points).
  std::vector<HistoryPoint> read(std::string_view module_id, std::string_view name,
                                 const HistoryQuery& query);

  Subscription subscribe(Listener listener);

  // Blocks until everything recorded before the call is committed; throws the database error
  // when the commit failed (the points stay queued and are retried).
  void flush();
  // Where the writer reports failed commits (default: stderr).
  void on_error(std::function<void(const std::string& message)> handler);

  const HistoryConfig& bounds() const { return bounds_; }
  // Points dropped because the disk would not take them and the queue was full.
  std::uint64_t dropped() const;
  const std::string& path() const { return writer_db_.path(); }

 private:
  struct Queue;
  struct Queued;

  void writer_loop();
  void commit(const std::vector<Queued>& batch);
  std::int64_t variable_id(const std::string& module_id, const std::string& name);
  std::int64_t& point_count(std::int64_t var);
  void prune_by_age();
  void report(const std::string& message);

  const HistoryConfig bounds_;
  std::shared_ptr<Queue> queue_;
  // The writer thread's connection, and a second one for read(), which WAL lets run while
  // the writer commits.
  Database writer_db_;
  Statement insert_point_;
  Statement find_variable_;
  Statement insert_variable_;
  Statement count_points_;
  Statement prune_count_;
  Statement prune_age_;
  Statement save_last_seq_;
  // The writer's caches, dropped whenever a transaction rolls back or pruning by age ran.
  std::map<std::pair<std::string, std::string>, std::int64_t> variable_ids_;
  std::map<std::int64_t, std::int64_t> point_counts_;  // by variable id
  std::mutex reader_mutex_;
  Database reader_db_;
  Statement read_asc_;
  Statement read_desc_;
  std::vector<Subscription> subscriptions_;
  std::thread writer_;
};

}  // namespace roomd
