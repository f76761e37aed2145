#include "runtime/history.hpp"

#include "base/json_parse.hpp"
#include "base/wall_clock.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <limits>
#include <map>
#include <stdexcept>
#include <utility>

namespace roomd {
namespace {

// Folds a burst into one transaction; a power cut loses at most this much history.
constexpr auto kCommitDelay = std::chrono::milliseconds(50);
// The size of one transaction, at most.
constexpr std::size_t kMaxBatch = 2000;
// What the queue holds while the disk refuses writes; beyond it the oldest points go (and are
// counted), so a full disk never grows the process without bound.
constexpr std::size_t kMaxQueued = 200000;
constexpr auto kRetryDelay = std::chrono::seconds(1);
// Age pruning runs this often; reads apply the age bound themselves in between.
constexpr auto kAgePruneEvery = std::chrono::minutes(1);

double age_cutoff(const HistoryConfig& bounds) {
  return unix_now() - std::chrono::duration<double>(bounds.max_age).count();
}

}  // namespace

struct History::Queued {
  std::string module_id;
  std::string name;
  HistoryPoint point;
};

struct History::Queue {
  std::mutex mutex;
  std::condition_variable wake;  // the writer waits on it
  std::condition_variable done;  // flush() waits on it
  std::deque<Queued> pending;
  // The batch the writer is committing: still readable until the commit is done.
  std::shared_ptr<const std::vector<Queued>> committing;
  std::chrono::steady_clock::time_point first_pending;
  std::uint64_t next_seq = 1;
  std::uint64_t committed_seq = 0;  // every point up to this one is on disk
  std::uint64_t attempts = 0;
  bool last_failed = false;
  std::string last_error;
  std::uint64_t dropped = 0;
  bool urgent = false;
  bool stop = false;
  std::map<std::uint64_t, Listener> listeners;
  std::uint64_t next_listener = 1;
  std::function<void(const std::string&)> on_error;
};

History::History(const std::string& db_path, HistoryConfig bounds)
    : bounds_(bounds),
      queue_(std::make_shared<Queue>()),
      writer_db_(db_path, "history database"),
      reader_db_(db_path, "history database") {
  writer_db_.exec(
      "CREATE TABLE IF NOT EXISTS variables ("
      "  id INTEGER PRIMARY KEY, module TEXT NOT NULL, name TEXT NOT NULL,"
      "  UNIQUE (module, name));"
      "CREATE TABLE IF NOT EXISTS points ("
      "  var INTEGER NOT NULL, seq INTEGER NOT NULL, t REAL NOT NULL, value TEXT NOT NULL,"
      "  PRIMARY KEY (var, seq)) WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS points_by_time ON points (t);"
      "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);");
  {
    auto last = writer_db_.prepare("SELECT value FROM meta WHERE key = 'last_seq'");
    if (last.step()) queue_->next_seq = static_cast<std::uint64_t>(last.column_int64(0)) + 1;
    queue_->committed_seq = queue_->next_seq - 1;
  }
  insert_point_ =
      writer_db_.prepare("INSERT INTO points (var, seq, t, value) VALUES (?1, ?2, ?3, ?4)");
  find_variable_ = writer_db_.prepare("SELECT id FROM variables WHERE module = ?1 AND name = ?2");
  insert_variable_ = writer_db_.prepare("INSERT INTO variables (module, name) VALUES (?1, ?2)");
  // Deletes the oldest ?2 points of one variable: a walk over exactly those rows.
  prune_count_ = writer_db_.prepare(
      "DELETE FROM points WHERE var = ?1 AND seq IN "
      "(SELECT seq FROM points WHERE var = ?1 ORDER BY seq ASC LIMIT ?2)");
  prune_age_ = writer_db_.prepare("DELETE FROM points WHERE t < ?1");
  count_points_ = writer_db_.prepare("SELECT COUNT(*) FROM points WHERE var = ?1");
  save_last_seq_ = writer_db_.prepare(
      "INSERT INTO meta (key, value) VALUES ('last_seq', ?1) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  prune_by_age();

  const char* read_sql =
      "SELECT p.seq, p.t, p.value FROM points p JOIN variables v ON v.id = p.var "
      "WHERE v.module = ?1 AND v.name = ?2 AND p.t >= ?3 AND p.t <= ?4 ORDER BY p.seq ";
  read_asc_ = reader_db_.prepare(std::string(read_sql) + "ASC LIMIT ?5");
  read_desc_ = reader_db_.prepare(std::string(read_sql) + "DESC LIMIT ?5");
  writer_ = std::thread([this] { writer_loop(); });
}

History::~History() {
  subscriptions_.clear();
  {
    std::lock_guard lock(queue_->mutex);
    queue_->stop = true;
  }
  queue_->wake.notify_one();
  if (writer_.joinable()) writer_.join();
}

void History::attach(StateStore& store) {
  subscriptions_.push_back(
      store.subscribe_all([this](std::string_view module_id, std::string_view name,
                                 const Json& value) { record(module_id, name, value); }));
}

void History::record(std::string_view module_id, std::string_view name, const Json& value) {
  Queue& queue = *queue_;
  std::lock_guard lock(queue.mutex);
  if (queue.pending.size() >= kMaxQueued) {
    queue.pending.pop_front();
    ++queue.dropped;
  }
  if (queue.pending.empty()) {
    queue.first_pending = std::chrono::steady_clock::now();
    queue.wake.notify_one();
  } else if (queue.pending.size() + 1 == kMaxBatch) {
    queue.wake.notify_one();
  }
  queue.pending.push_back(Queued{std::string(module_id), std::string(name),
                                 HistoryPoint{queue.next_seq++, unix_now(), value}});
  const auto& queued = queue.pending.back();
  for (const auto& [id, listener] : queue.listeners) listener(module_id, name, queued.point);
}

std::vector<HistoryPoint> History::read(std::string_view module_id, std::string_view name,
                                        const HistoryQuery& query) {
  const double since =
      std::max(query.since.value_or(-std::numeric_limits<double>::max()), age_cutoff(bounds_));
  const double until = query.until.value_or(std::numeric_limits<double>::max());
  const std::size_t limit = std::min(query.limit, bounds_.max_points);
  std::vector<HistoryPoint> points;
  if (limit == 0 || since > until) return points;
  auto matches = [&](const Queued& q) {
    return q.module_id == module_id && q.name == name && q.point.t >= since && q.point.t <= until;
  };
  // What is not on disk yet, taken before the database is read: a batch committed in between
  // is then found twice (and deduplicated by seq), never missed.
  {
    std::lock_guard lock(queue_->mutex);
    if (queue_->committing)
      for (const auto& q : *queue_->committing)
        if (matches(q)) points.push_back(q.point);
    for (const auto& q : queue_->pending)
      if (matches(q)) points.push_back(q.point);
  }
  {
    std::lock_guard lock(reader_mutex_);
    auto& select = query.ascending ? read_asc_ : read_desc_;
    select.bind_text(1, module_id)
        .bind_text(2, name)
        .bind_double(3, since)
        .bind_double(4, until)
        .bind_int64(5, static_cast<std::int64_t>(limit));
    try {
      while (select.step()) {
        auto parsed = parse_json(select.column_text(2));
        points.push_back(HistoryPoint{static_cast<std::uint64_t>(select.column_int64(0)),
                                      select.column_double(1),
                                      parsed ? std::move(parsed.value) : Json()});
      }
    } catch (...) {
      select.reset();
      throw;
    }
    select.reset();
  }
  auto by_seq = [&](const HistoryPoint& a, const HistoryPoint& b) {
    return query.ascending ? a.seq < b.seq : a.seq > b.seq;
  };
  std::sort(points.begin(), points.end(), by_seq);
  points.erase(
      std::unique(points.begin(), points.end(),
                  [](const HistoryPoint& a, const HistoryPoint& b) { return a.seq == b.seq; }),
      points.end());
  if (points.size() > limit) points.resize(limit);
  return points;
}

Subscription History::subscribe(Listener listener) {
  std::lock_guard lock(queue_->mutex);
  const auto id = queue_->next_listener++;
  queue_->listeners.emplace(id, std::move(listener));
  return Subscription([weak = std::weak_ptr<Queue>(queue_), id] {
    if (auto queue = weak.lock()) {
      std::lock_guard lock(queue->mutex);
      queue->listeners.erase(id);
    }
  });
}

void History::flush() {
  Queue& queue = *queue_;
  std::unique_lock lock(queue.mutex);
  const auto target = queue.next_seq - 1;
  if (queue.committed_seq >= target) return;
  const auto attempts = queue.attempts;
  queue.urgent = true;
  queue.wake.notify_one();
  queue.done.wait(lock, [&] {
    return queue.committed_seq >= target || (queue.attempts != attempts && queue.last_failed);
  });
  if (queue.committed_seq < target) throw std::runtime_error(queue.last_error);
}

void History::on_error(std::function<void(const std::string&)> handler) {
  std::lock_guard lock(queue_->mutex);
  queue_->on_error = std::move(handler);
}

std::uint64_t History::dropped() const {
  std::lock_guard lock(queue_->mutex);
  return queue_->dropped;
}

void History::report(const std::string& message) {
  std::function<void(const std::string&)> handler;
  {
    std::lock_guard lock(queue_->mutex);
    handler = queue_->on_error;
  }
  if (handler)
    handler(message);
  else
    std::cerr << "roomd: " << message << '\n';
}

void History::writer_loop() {
  Queue& queue = *queue_;
  auto next_age_prune = std::chrono::steady_clock::now() + kAgePruneEvery;
  std::unique_lock lock(queue.mutex);
  for (;;) {
    queue.wake.wait_until(lock, next_age_prune,
                          [&] { return queue.stop || queue.urgent || !queue.pending.empty(); });
    if (std::chrono::steady_clock::now() >= next_age_prune) {
      next_age_prune = std::chrono::steady_clock::now() + kAgePruneEvery;
      lock.unlock();
      try {
        prune_by_age();
      } catch (const std::exception& e) {
        report(e.what());
      }
      lock.lock();
    }
    if (queue.pending.empty()) {
      queue.urgent = false;
      if (queue.stop) break;
      continue;
    }
    if (!queue.stop && !queue.urgent) {
      queue.wake.wait_until(lock, queue.first_pending + kCommitDelay, [&] {
        return queue.stop || queue.urgent || queue.pending.size() >= kMaxBatch;
      });
    }
    const std::size_t take = std::min(queue.pending.size(), kMaxBatch);
    auto batch = std::make_shared<std::vector<Queued>>(
        std::make_move_iterator(queue.pending.begin()),
        std::make_move_iterator(queue.pending.begin() + static_cast<std::ptrdiff_t>(take)));
    queue.pending.erase(queue.pending.begin(),
                        queue.pending.begin() + static_cast<std::ptrdiff_t>(take));
    if (!queue.pending.empty())
      queue.first_pending = std::chrono::steady_clock::now() - kCommitDelay;
    queue.committing = batch;
    if (queue.pending.empty()) queue.urgent = false;
    lock.unlock();

    std::string error;
    try {
      commit(*batch);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) report(error);

    lock.lock();
    ++queue.attempts;
    queue.last_failed = !error.empty();
    queue.committing.reset();
    if (error.empty()) {
      queue.committed_seq = batch->back().point.seq;
    } else {
      // Back to the front of the queue, in order, to be retried.
      queue.last_error = error;
      queue.pending.insert(queue.pending.begin(), std::make_move_iterator(batch->begin()),
                           std::make_move_iterator(batch->end()));
      queue.first_pending = std::chrono::steady_clock::now();
    }
    queue.done.notify_all();
    if (!error.empty()) {
      if (queue.stop) {
        const auto lost = queue.pending.size();
        lock.unlock();
        report("history database " + writer_db_.path() + ": " + std::to_string(lost) +
               " changes not saved at shutdown");
        return;
      }
      queue.wake.wait_for(lock, kRetryDelay, [&] { return queue.stop || queue.urgent; });
    }
  }
}

std::int64_t History::variable_id(const std::string& module_id, const std::string& name) {
  auto key = std::make_pair(module_id, name);
  if (auto it = variable_ids_.find(key); it != variable_ids_.end()) return it->second;
  std::int64_t id = 0;
  find_variable_.bind_text(1, module_id).bind_text(2, name);
  if (find_variable_.step()) {
    id = find_variable_.column_int64(0);
    find_variable_.reset();
  } else {
    find_variable_.reset();
    insert_variable_.bind_text(1, module_id).bind_text(2, name).run();
    id = writer_db_.last_insert_rowid();
  }
  variable_ids_.emplace(std::move(key), id);
  return id;
}

std::int64_t& History::point_count(std::int64_t var) {
  auto it = point_counts_.find(var);
  if (it != point_counts_.end()) return it->second;
  count_points_.bind_int64(1, var);
  count_points_.step();
  const auto count = count_points_.column_int64(0);
  count_points_.reset();
  return point_counts_.emplace(var, count).first->second;
}

void History::commit(const std::vector<Queued>& batch) {
  writer_db_.exec("BEGIN IMMEDIATE");
  try {
    std::vector<std::int64_t> touched;
    for (const auto& q : batch) {
      const auto var = variable_id(q.module_id, q.name);
      auto& count = point_count(var);  // before the insert: it counts what is on disk
      // Device strings are not always valid UTF-8; one bad byte must not block the batch.
      insert_point_.bind_int64(1, var)
          .bind_int64(2, static_cast<std::int64_t>(q.point.seq))
          .bind_double(3, q.point.t)
          .bind_text(4, q.point.value.dump(-1, ' ', false, Json::error_handler_t::replace))
          .run();
      if (++count > static_cast<std::int64_t>(bounds_.max_points)) touched.push_back(var);
    }
    for (const auto var : touched) {
      auto& count = point_counts_.at(var);
      const auto over = count - static_cast<std::int64_t>(bounds_.max_points);
      if (over <= 0) continue;  // trimmed already (listed once per point over the bound)
      prune_count_.bind_int64(1, var).bind_int64(2, over).run();
      count -= over;
    }
    save_last_seq_.bind_int64(1, static_cast<std::int64_t>(batch.back().point.seq)).run();
    writer_db_.exec("COMMIT");
  } catch (...) {
    for (auto* statement : {&insert_point_, &find_variable_, &insert_variable_, &count_points_,
                            &prune_count_, &save_last_seq_})
      statement->reset();
    variable_ids_.clear();
    point_counts_.clear();
    try {
      writer_db_.exec("ROLLBACK");
    } catch (...) {
      // The error that matters is the one being rethrown.
    }
    throw;
  }
}

void History::prune_by_age() {
  prune_age_.bind_double(1, age_cutoff(bounds_)).run();
  if (writer_db_.changes() > 0) point_counts_.clear();
}

}  // namespace roomd
