// Moves the outbox to the broker (design.md, "drain order"): records in (epoch, seq) order,
// at most `window` unacknowledged, paced by a token bucket, each acked in the outbox only once
// the broker acknowledged it. Reads run on a thread of its own (they touch the disk); the rest
// runs on the strand it is given, the upstream's.
#pragma once

#include "base/asio.hpp"
#include "base/log_level.hpp"
#include "uplink/mqtt/token_bucket.hpp"
#include "uplink/outbox/outbox_record.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace roomd {

class Outbox;

class OutboxDrain : public std::enable_shared_from_this<OutboxDrain> {
 public:
  // Sends one record's text to the events topic; `done(true)` once the broker acknowledged it.
  using Publish = std::function<void(const std::string& text, std::function<void(bool)> done)>;
  using Log = std::function<void(LogLevel, std::string)>;

  // `rate` records per second (0: unlimited); `window` records in flight at most.
  OutboxDrain(Executor strand, Outbox& outbox, Publish publish, double rate, std::size_t window,
              Log log);
  ~OutboxDrain();  // stop()
  OutboxDrain(const OutboxDrain&) = delete;
  OutboxDrain& operator=(const OutboxDrain&) = delete;

  // On the strand. The connection is up: drains from the oldest record not acknowledged.
  void resume();
  // On the strand. The connection is lost: what was not acknowledged is read again on resume.
  void pause();
  // Stops draining and joins the reader. Idempotent; call it before the outbox goes.
  void stop();
  // From any thread (the outbox's writer): records were committed.
  void wake();

  std::uint64_t drained() const { return drained_; }  // acknowledged since start
  std::size_t in_flight() const { return in_flight_; }

 private:
  void pump();
  void read_more();
  void on_read(std::uint64_t generation, std::vector<StoredRecord> records, bool full,
               const std::string& error);
  void on_acked(std::uint64_t generation, Cursor record, bool ok);
  void wait_for_token(Clock::duration wait);

  Executor strand_;
  Outbox& outbox_;
  Publish publish_;
  Log log_;
  std::size_t window_;
  TokenBucket bucket_;
  boost::asio::thread_pool reader_{1};
  boost::asio::steady_timer timer_;

  bool running_ = false;  // connected and not stopped
  bool stopped_ = false;
  bool reading_ = false;
  bool more_ = true;                 // the outbox may hold records after cursor_
  bool timing_ = false;              // waiting for a token
  std::uint64_t generation_ = 0;     // one per connection: stale reads and answers are told apart
  Cursor cursor_;                    // the last record read
  std::deque<StoredRecord> queued_;  // read, not yet published
  std::set<Cursor> unacked_;         // published on this connection, not yet acknowledged
  std::atomic<std::uint64_t> drained_{0};
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace roomd
