#include "runtime/state_persistence.hpp"

#include "base/json_parse.hpp"
#include "base/wall_clock.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>

namespace roomd {
namespace {

// Long enough to fold a burst of changes into one transaction, short enough that a power cut
// loses at most this much.
constexpr auto kCommitDelay = std::chrono::milliseconds(50);
// Bounds both the memory held by the queue and the size of one transaction.
constexpr std::size_t kMaxDirty = 500;
// A failing disk should not spin the writer.
constexpr auto kRetryDelay = std::chrono::seconds(1);

using Key = std::pair<std::string, std::string>;

// Lets the notifying thread find an already dirty key without building two strings.
struct KeyLess {
  using is_transparent = void;
  using View = std::pair<std::string_view, std::string_view>;
  static View view(const Key& key) { return {key.first, key.second}; }
  static View view(const View& key) { return key; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return view(a) < view(b);
  }
};

struct Pending {
  std::optional<Json> value;  // nullopt: the variable was erased, delete its row
  double updated = 0;
};

}  // namespace

struct StatePersistence::Writes {
  std::map<Key, Pending, KeyLess> state;
  std::map<std::string, std::string, std::less<>> levels;

  bool empty() const { return state.empty() && levels.empty(); }
  std::size_t size() const { return state.size() + levels.size(); }
};

struct StatePersistence::Queue {
  // Called with `mutex` held after adding to `pending`.
  void queued_one(bool was_empty) {
    ++queued;
    if (was_empty) {
      first_dirty = std::chrono::steady_clock::now();
      wake.notify_one();
    } else if (pending.size() == kMaxDirty) {
      wake.notify_one();
    }
  }

  std::mutex mutex;
  std::condition_variable wake;  // the writer waits on it
  std::condition_variable done;  // flush() waits on it
  Writes pending;
  std::chrono::steady_clock::time_point first_dirty;
  // Sequence numbers of queued changes: flush() waits for `committed` to reach `queued`.
  std::uint64_t queued = 0;
  std::uint64_t committed = 0;
  std::uint64_t attempts = 0;
  bool last_failed = false;
  std::string last_error;
  bool urgent = false;
  bool stop = false;
  std::function<void(const std::string&)> on_error;
};

StatePersistence::StatePersistence(const std::string& db_path)
    : queue_(std::make_shared<Queue>()), db_(db_path, "state database") {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS state ("
      "  module TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, updated REAL,"
      "  PRIMARY KEY (module, name));"
      "CREATE TABLE IF NOT EXISTS log_levels (module TEXT PRIMARY KEY, level TEXT NOT NULL);");
  upsert_state_ = db_.prepare(
      "INSERT INTO state (module, name, value, updated) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (module, name) DO UPDATE SET value = excluded.value, "
      "updated = excluded.updated");
  delete_state_ = db_.prepare("DELETE FROM state WHERE module = ?1 AND name = ?2");
  upsert_level_ = db_.prepare(
      "INSERT INTO log_levels (module, level) VALUES (?1, ?2) "
      "ON CONFLICT (module) DO UPDATE SET level = excluded.level");
  writer_ = std::thread([this] { writer_loop(); });
}

StatePersistence::~StatePersistence() {
  subscriptions_.clear();
  {
    std::lock_guard lock(queue_->mutex);
    queue_->stop = true;
  }
  queue_->wake.notify_one();
  if (writer_.joinable()) writer_.join();
}

void StatePersistence::restore_into(StateStore& store) {
  flush();
  std::vector<std::string> bad_rows;
  {
    std::lock_guard lock(db_mutex_);
    auto select = db_.prepare("SELECT module, name, value FROM state");
    while (select.step()) {
      auto text = select.column_text(2);
      auto parsed = parse_json(text);
      if (!parsed) {
        bad_rows.push_back(std::string(select.column_text(0)) + "/" +
                           std::string(select.column_text(1)));
        continue;
      }
      store.restore(select.column_text(0), select.column_text(1), std::move(parsed.value));
    }
  }
  for (const auto& row : bad_rows) {
    report("state database " + db_.path() + ": skipped unreadable value of " + row);
  }
}

std::vector<std::pair<std::string, std::string>> StatePersistence::load_log_levels() {
  flush();
  std::vector<std::pair<std::string, std::string>> levels;
  std::lock_guard lock(db_mutex_);
  auto select = db_.prepare("SELECT module, level FROM log_levels ORDER BY module");
  while (select.step()) {
    levels.emplace_back(select.column_text(0), select.column_text(1));
  }
  return levels;
}

void StatePersistence::attach(StateStore& store) {
  subscriptions_.push_back(store.subscribe_all(
      // Holds the queue, not `this`: a notify racing with our destructor on another thread
      // then lands in a queue nobody reads instead of in freed memory.
      [queue = queue_, &store](std::string_view module_id, std::string_view name, const Json&) {
        std::lock_guard lock(queue->mutex);
        // Reading the store under our lock, rather than taking the notified value, keeps the
        // queue at the newest value even when two threads' notifications for one key arrive
        // out of order; it also tells an erase apart from a set to null.
        auto current = store.get(module_id, name);
        const bool was_empty = queue->pending.empty();
        auto& state = queue->pending.state;
        auto it = state.find(KeyLess::View(module_id, name));
        if (it == state.end()) {
          it = state.emplace(Key(module_id, name), Pending{}).first;
        }
        it->second.value = std::move(current);
        it->second.updated = unix_now();
        queue->queued_one(was_empty);
      }));
}

void StatePersistence::save_log_level(std::string_view module_id, std::string_view level) {
  std::lock_guard lock(queue_->mutex);
  const bool was_empty = queue_->pending.empty();
  auto& levels = queue_->pending.levels;
  auto it = levels.find(module_id);
  if (it == levels.end()) {
    levels.emplace(std::string(module_id), std::string(level));
  } else {
    it->second.assign(level);
  }
  queue_->queued_one(was_empty);
}

void StatePersistence::flush() {
  Queue& queue = *queue_;
  std::unique_lock lock(queue.mutex);
  const auto target = queue.queued;
  if (queue.committed >= target) return;
  const auto attempts = queue.attempts;
  queue.urgent = true;
  queue.wake.notify_one();
  queue.done.wait(lock, [&] {
    return queue.committed >= target || (queue.attempts != attempts && queue.last_failed);
  });
  if (queue.committed < target) throw std::runtime_error(queue.last_error);
}

void StatePersistence::on_error(std::function<void(const std::string&)> handler) {
  std::lock_guard lock(queue_->mutex);
  queue_->on_error = std::move(handler);
}

void StatePersistence::report(const std::string& message) {
  std::function<void(const std::string&)> handler;
  {
    std::lock_guard lock(queue_->mutex);
    handler = queue_->on_error;
  }
  if (handler) {
    handler(message);
  } else {
    std::cerr << "roomd: " << message << '\n';
  }
}

void StatePersistence::writer_loop() {
  Queue& queue = *queue_;
  std::unique_lock lock(queue.mutex);
  for (;;) {
    queue.wake.wait(lock, [&] { return queue.stop || queue.urgent || !queue.pending.empty(); });
    if (queue.pending.empty()) {
      queue.urgent = false;
      if (queue.stop) break;
      continue;
    }
    if (!queue.stop && !queue.urgent) {
      queue.wake.wait_until(lock, queue.first_dirty + kCommitDelay, [&] {
        return queue.stop || queue.urgent || queue.pending.size() >= kMaxDirty;
      });
    }
    Writes batch = std::exchange(queue.pending, Writes{});
    const auto sequence = queue.queued;
    queue.urgent = false;
    lock.unlock();

    std::string error;
    try {
      commit(batch);
    } catch (const std::exception& e) {
      error = e.what();
    }

    // Reported before flush() wakes, so its caller can rely on having heard of the failure.
    if (!error.empty()) report(error);

    lock.lock();
    ++queue.attempts;
    queue.last_failed = !error.empty();
    if (error.empty()) {
      queue.committed = sequence;
    } else {
      // Requeue what failed, except keys that changed again meanwhile (newer wins).
      queue.last_error = error;
      queue.pending.state.merge(batch.state);
      queue.pending.levels.merge(batch.levels);
      queue.first_dirty = std::chrono::steady_clock::now();
    }
    queue.done.notify_all();
    if (!error.empty()) {
      if (queue.stop) {
        const auto lost = queue.pending.size();
        lock.unlock();
        report("state database " + db_.path() + ": " + std::to_string(lost) +
               " changes not saved at shutdown");
        return;
      }
      queue.wake.wait_for(lock, kRetryDelay, [&] { return queue.stop || queue.urgent; });
    }
  }
}

void StatePersistence::commit(Writes& writes) {
  std::lock_guard lock(db_mutex_);
  db_.exec("BEGIN IMMEDIATE");
  try {
    for (const auto& [key, pending] : writes.state) {
      if (pending.value) {
        // Device strings are not always valid UTF-8; one bad byte must not block the batch.
        upsert_state_.bind_text(1, key.first)
            .bind_text(2, key.second)
            .bind_text(3, pending.value->dump(-1, ' ', false, Json::error_handler_t::replace))
            .bind_double(4, pending.updated)
            .run();
      } else {
        delete_state_.bind_text(1, key.first).bind_text(2, key.second).run();
      }
    }
    for (const auto& [module, level] : writes.levels) {
      upsert_level_.bind_text(1, module).bind_text(2, level).run();
    }
    db_.exec("COMMIT");
  } catch (...) {
    upsert_state_.reset();
    delete_state_.reset();
    upsert_level_.reset();
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
      // Nothing more to do: the error that matters is the one being rethrown.
    }
    throw;
  }
}

}  // namespace roomd
