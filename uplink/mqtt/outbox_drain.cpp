#include "uplink/mqtt/outbox_drain.hpp"

#include "uplink/outbox/outbox.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <exception>
#include <optional>

namespace roomd {

namespace {

// Records asked of the outbox per read: a few windows, so the reader stays ahead of the acks.
constexpr std::size_t kMinBatch = 256;
constexpr std::size_t kWindowsPerBatch = 4;
// After the outbox could not be read (the database is locked or broken), try again this late.
constexpr std::chrono::seconds kReadRetry{1};

}  // namespace

OutboxDrain::OutboxDrain(Executor strand, Outbox& outbox, Publish publish, double rate,
                         std::size_t window, Log log)
    : strand_(std::move(strand)),
      outbox_(outbox),
      publish_(std::move(publish)),
      log_(std::move(log)),
      window_(std::max<std::size_t>(1, window)),
      // A tenth of a second's worth may go at once: smooth, yet not one timer per record.
      bucket_(rate, rate / 10),
      timer_(strand_) {}

OutboxDrain::~OutboxDrain() {
  stop();
}

void OutboxDrain::resume() {
  running_ = !stopped_;
  ++generation_;
  more_ = true;
  pump();
}

void OutboxDrain::pause() {
  running_ = false;
  ++generation_;
  // Everything read and not acknowledged is read again, from the oldest: the broker may
  // have it, or not (a duplicate has the same epoch and seq, a consumer drops it).
  std::optional<Cursor> oldest;
  if (!unacked_.empty()) oldest = *unacked_.begin();
  if (!queued_.empty()) {
    const Cursor front{queued_.front().epoch, queued_.front().seq};
    if (!oldest || front < *oldest) oldest = front;
  }
  if (oldest) cursor_ = {oldest->epoch, oldest->seq - 1};
  unacked_.clear();
  queued_.clear();
  in_flight_ = 0;
  timer_.cancel();
}

void OutboxDrain::stop() {
  if (stopped_) return;
  stopped_ = true;
  running_ = false;
  timer_.cancel();
  reader_.join();
}

void OutboxDrain::wake() {
  asio::post(strand_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->more_ = true;
      self->pump();
    }
  });
}

void OutboxDrain::pump() {
  if (!running_) return;
  while (!queued_.empty() && unacked_.size() < window_) {
    const auto now = Clock::now();
    if (!bucket_.take(now)) {
      wait_for_token(bucket_.wait(now));
      break;
    }
    auto record = std::move(queued_.front());
    queued_.pop_front();
    const Cursor at{record.epoch, record.seq};
    unacked_.insert(at);
    publish_(record.text, [weak = weak_from_this(), generation = generation_, at](bool ok) {
      if (auto self = weak.lock()) self->on_acked(generation, at, ok);
    });
  }
  in_flight_ = unacked_.size();
  if (!reading_ && more_ && queued_.size() < window_) read_more();
}

void OutboxDrain::read_more() {
  reading_ = true;
  more_ = false;
  const std::size_t batch = std::max(kMinBatch, kWindowsPerBatch * window_);
  asio::post(reader_, [weak = weak_from_this(), outbox = &outbox_, strand = strand_,
                       after = cursor_, batch, generation = generation_] {
    std::vector<StoredRecord> records;
    std::string error;
    try {
      records = outbox->read_after(after, batch);
    } catch (const std::exception& e) {
      error = e.what();
    }
    const bool full = records.size() == batch;
    asio::post(strand, [weak, generation, records = std::move(records), full,
                        error = std::move(error)]() mutable {
      if (auto self = weak.lock()) self->on_read(generation, std::move(records), full, error);
    });
  });
}

void OutboxDrain::on_read(std::uint64_t generation, std::vector<StoredRecord> records, bool full,
                          const std::string& error) {
  reading_ = false;
  if (stopped_) return;
  if (!error.empty()) {
    if (log_) log_(LogLevel::error, "upstream: cannot read the outbox to drain it: " + error);
    more_ = true;
    wait_for_token(kReadRetry);
    return;
  }
  if (generation != generation_) {  // read before a reconnect, from a cursor since moved back
    more_ = true;
    pump();
    return;
  }
  if (full) more_ = true;
  for (auto& record : records) {
    const Cursor at{record.epoch, record.seq};
    if (at <= cursor_) continue;
    cursor_ = at;
    queued_.push_back(std::move(record));
  }
  pump();
}

void OutboxDrain::on_acked(std::uint64_t generation, Cursor record, bool ok) {
  // A failed publish is read again after the reconnect that must follow.
  if (!ok) return;
  // The broker has it, whichever connection carried it.
  outbox_.ack(record);
  ++drained_;
  if (generation != generation_) return;
  unacked_.erase(record);
  in_flight_ = unacked_.size();
  pump();
}

void OutboxDrain::wait_for_token(Clock::duration wait) {
  if (timing_) return;
  timing_ = true;
  timer_.expires_after(wait);
  timer_.async_wait([weak = weak_from_this()](const error_code&) {
    // Also after a cancel: a resume may have come since, and timing_ must not stay set.
    if (auto self = weak.lock()) {
      self->timing_ = false;
      self->pump();
    }
  });
}

}  // namespace roomd
