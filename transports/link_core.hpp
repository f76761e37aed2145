// The engine every byte link shares, whatever it runs over: the state machine, the generation
// checks that silence abandoned operations, the write queue with one write in flight, the
// open timeout, jittered backoff between attempts, the handlers, and stop(). A Policy (one per
// kind: TCP, UDP, serial) only opens its channel and reads and writes it, as libmodbus keeps
// one engine and a small table per backend.
#pragma once

#include "base/asio.hpp"
#include "base/backoff.hpp"
#include "transports/link.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace roomd {

// A Policy provides (StreamPolicy has the defaults a byte stream needs):
//   using Channel = ...;   // socket or descriptor: built from an Executor, has close(ec)
//   static constexpr std::size_t kReadBufferSize;
//   static constexpr bool kEmptyWritesMatter;   // an empty datagram is still a message
//   Policy(const Executor&, Args...);
//   Duration open_timeout() const;               // zero: the open cannot hang
//   template <class Done> void open(Channel&, Done done);
//       calls done(ec) once, inline or later; an asynchronous open checks done.cancelled()
//       before each further step (the attempt was abandoned or timed out)
//   void cancel_open();                          // abort what open() is waiting on
//   void opened(Channel&);                       // the channel is up: tune it, clear errors
//   void lost(const error_code&);                // the channel broke while up
//   bool ignorable(const error_code&) const;     // an error of one datagram, not the link
//   template <class H> void read(Channel&, asio::mutable_buffer, H&&);
//   template <class H> void write(Channel&, asio::const_buffer, H&&);
//   std::string describe() const;
//   std::string last_error() const;
template <class Policy>
class LinkCore final : public Transport, public std::enable_shared_from_this<LinkCore<Policy>> {
 public:
  using Channel = typename Policy::Channel;

  template <class... Args>
  LinkCore(Executor executor, Backoff backoff, Args&&... args)
      : executor_(std::move(executor)),
        policy_(executor_, std::forward<Args>(args)...),
        open_timer_(executor_),
        retry_timer_(executor_),
        backoff_(std::move(backoff)) {}

  void start(Handlers handlers) override {
    if (state_ != State::idle) return;
    handlers_ = std::make_shared<const Handlers>(std::move(handlers));
    state_ = State::opening;
    // Posted, so that on_connect or on_disconnect never runs inside start().
    asio::post(executor_, [self = this->shared_from_this(), gen = ++gen_] {
      if (gen == self->gen_) self->open();
    });
  }

  void stop() override {
    abandon();
    state_ = State::idle;
    // A handler running right now holds its own reference (see notify_*), so this is safe
    // from inside one; dropping ours breaks cycles through captures that own the link.
    handlers_.reset();
  }

  bool write(std::string bytes) override {
    if (state_ != State::connected) return false;
    if (bytes.empty() && !Policy::kEmptyWritesMatter) return true;
    channel_->queue.push_back(std::move(bytes));
    if (!channel_->writing) write_next(channel_);
    return true;
  }

  void reconnect() override {
    // Waiting already means "reconnect after the backoff".
    if (state_ == State::idle || state_ == State::waiting) return;
    abandon();
    state_ = State::waiting;
    // Posted, not called: the driver asking for a reconnect must not be re-entered.
    asio::post(executor_, [self = this->shared_from_this(), gen = gen_] {
      if (gen != self->gen_) return;
      self->notify_disconnect(asio::error::operation_aborted);
      if (gen == self->gen_) self->schedule_retry();
    });
  }

  bool is_connected() const override { return state_ == State::connected; }
  std::string describe() const override { return policy_.describe(); }
  std::string last_error() const override { return policy_.last_error(); }

 private:
  enum class State { idle, opening, connected, waiting };

  // One attempt's channel and, once open, its traffic. Pending operations hold it by
  // shared_ptr, so the channel, the read buffer and the queued bytes they point into stay
  // alive until they complete, even after the core moved on to a new attempt.
  struct Open {
    explicit Open(const Executor& executor) : channel(executor) {}
    Channel channel;
    std::deque<std::string> queue;
    bool writing = false;
    std::array<char, Policy::kReadBufferSize> buffer{};
  };

  // Given to Policy::open: reports the outcome of one attempt, unless it was abandoned.
  class OpenDone {
   public:
    OpenDone(std::shared_ptr<LinkCore> core, std::uint64_t gen, std::shared_ptr<Open> open)
        : core_(std::move(core)), gen_(gen), open_(std::move(open)) {}
    bool cancelled() const { return gen_ != core_->gen_ || core_->timed_out_; }
    void operator()(const error_code& ec) const {
      if (gen_ == core_->gen_) core_->opened(ec);
    }

   private:
    std::shared_ptr<LinkCore> core_;
    std::uint64_t gen_;
    std::shared_ptr<Open> open_;  // keeps the channel alive while the open is in flight
  };

  // Every completion checks `gen` against gen_: stop(), reconnect() and failures bump it, so
  // an operation of an abandoned attempt never acts or calls a handler.
  void open() {
    ++gen_;
    state_ = State::opening;
    timed_out_ = false;
    channel_ = std::make_shared<Open>(executor_);
    if (const Duration timeout = policy_.open_timeout(); timeout > Duration::zero()) {
      open_timer_.expires_after(timeout);
      open_timer_.async_wait([self = this->shared_from_this(), gen = gen_](error_code ec) {
        if (ec || gen != self->gen_) return;
        // Cancelling makes the pending open complete with an error, reported as timed_out.
        self->timed_out_ = true;
        self->policy_.cancel_open();
        error_code ignored;
        self->channel_->channel.close(ignored);
      });
    }
    policy_.open(channel_->channel, OpenDone(this->shared_from_this(), gen_, channel_));
  }

  void opened(error_code ec) {
    open_timer_.cancel();
    // The timer may have closed the channel just as the open succeeded.
    if (timed_out_) ec = asio::error::timed_out;
    if (ec) {
      fail(ec);
      return;
    }
    policy_.opened(channel_->channel);
    state_ = State::connected;
    backoff_.reset();
    read(channel_);
    notify_connect();
  }

  void read(const std::shared_ptr<Open>& open) {
    policy_.read(open->channel, asio::buffer(open->buffer),
                 [self = this->shared_from_this(), gen = gen_, open](error_code ec, std::size_t n) {
                   if (gen != self->gen_) return;
                   if (ec && !self->policy_.ignorable(ec)) {
                     self->lost(ec);
                     return;
                   }
                   if (!ec) self->notify_bytes(std::string_view(open->buffer.data(), n));
                   // The handler may have stopped, reconnected or destroyed the link.
                   if (gen == self->gen_) self->read(open);
                 });
  }

  void write_next(const std::shared_ptr<Open>& open) {
    open->writing = true;
    policy_.write(open->channel, asio::buffer(open->queue.front()),
                  [self = this->shared_from_this(), gen = gen_, open](error_code ec, std::size_t) {
                    if (gen != self->gen_) return;
                    if (ec && !self->policy_.ignorable(ec)) {
                      self->lost(ec);
                      return;
                    }
                    open->queue.pop_front();
                    if (open->queue.empty()) {
                      open->writing = false;
                    } else {
                      self->write_next(open);
                    }
                  });
  }

  void lost(const error_code& ec) {
    policy_.lost(ec);
    fail(ec);
  }

  // Cancels everything in flight for the current attempt; their completions see a new gen_.
  void abandon() {
    ++gen_;
    open_timer_.cancel();
    retry_timer_.cancel();
    policy_.cancel_open();
    if (channel_) {
      error_code ignored;
      channel_->channel.close(ignored);
      channel_.reset();
    }
  }

  // An open failed or the link broke: tell the module why, then retry.
  void fail(const error_code& ec) {
    abandon();
    state_ = State::waiting;
    const auto gen = gen_;
    notify_disconnect(ec);
    if (gen == gen_) schedule_retry();
  }

  void schedule_retry() {
    state_ = State::waiting;
    retry_timer_.expires_after(backoff_.next_delay());
    retry_timer_.async_wait([self = this->shared_from_this(), gen = gen_](error_code ec) {
      if (ec || gen != self->gen_) return;
      self->open();
    });
  }

  // Each holds its own reference to the handlers while one runs: the handler may call
  // stop() or start(), which replace handlers_, without destroying the function executing.
  void notify_connect() {
    if (auto h = handlers_; h && h->on_connect) h->on_connect();
  }
  void notify_disconnect(const error_code& ec) {
    if (auto h = handlers_; h && h->on_disconnect) h->on_disconnect(ec);
  }
  void notify_bytes(std::string_view bytes) {
    if (auto h = handlers_; h && h->on_bytes) h->on_bytes(bytes);
  }

  Executor executor_;
  Policy policy_;
  asio::steady_timer open_timer_;
  asio::steady_timer retry_timer_;
  Backoff backoff_;
  std::shared_ptr<const Handlers> handlers_;
  std::shared_ptr<Open> channel_;
  State state_ = State::idle;
  std::uint64_t gen_ = 0;
  bool timed_out_ = false;
};

// The engine for a Link built from `Policy(executor, args...)`.
template <class Policy, class... Args>
std::shared_ptr<Transport> make_link_core(Executor executor, Backoff backoff, Args&&... args) {
  return std::make_shared<LinkCore<Policy>>(std::move(executor), std::move(backoff),
                                            std::forward<Args>(args)...);
}

}  // namespace roomd
