#include "runtime/command_queue.hpp"

#include "base/units.hpp"
#include "runtime/sdk/errors.hpp"
#include "runtime/sdk/printable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace roomd {
namespace {

constexpr auto kWait = asio::as_tuple(asio::use_awaitable);

std::string label(const Command& command) {
  return command.name().empty() ? "\"" + printable(command.bytes(), 80) + "\""
                                : "'" + command.name() + "'";
}

}  // namespace

CommandQueue::CommandQueue(Executor strand, Logger log, Writer writer, Describe describe)
    : strand_(strand),
      log_(std::move(log)),
      writer_(std::move(writer)),
      describe_(std::move(describe)),
      wake_(strand, Clock::time_point::max()),
      response_(strand) {}

void CommandQueue::start() {
  asio::co_spawn(
      strand_, [self = shared_from_this()]() { return self->run(); }, asio::detached);
}

void CommandQueue::stop(const std::string& reason) {
  stopped_ = true;
  fail_where([](const Command&) { return true; }, reason);
  if (current_) {
    outcome_ = Outcome::disconnected;
    response_.cancel();
  }
  wake();
}

Task<Json> CommandQueue::send(std::string bytes, SendOptions options) {
  if (stopped_) throw RequestFailed(describe_() + " is stopped; command not sent");
  if (!online_ && options.name.empty())
    throw RequestFailed(describe_() +
                        " is offline; command not sent (check the device's power "
                        "and network, and the module's transport settings)");
  auto command = std::make_shared<Command>(std::move(bytes), std::move(options));
  command->signal_ = std::make_unique<asio::steady_timer>(strand_, Clock::time_point::max());
  if (!command->name().empty()) {
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if ((*it)->name() != command->name()) continue;
      log_.debug("command ", label(*command), " replaces the queued one");
      command->replaced_.push_back(*it);
      command->queued_at_ = (*it)->queued_at_;
      queue_.erase(it);
      break;
    }
  }
  queue_.push_back(command);
  wake();
  while (!command->done_) co_await command->signal_->async_wait(kWait);
  if (command->failed_) throw RequestFailed(command->error_);
  co_return command->result_.value_or(Json(nullptr));
}

void CommandQueue::set_online(bool online) {
  online_ = online;
  if (!online) {
    // Unnamed commands are tied to the moment they were made; named ones are intentions
    // ("power on") that still make sense after the device comes back.
    fail_where([](const Command& c) { return c.name().empty(); },
               describe_() + " went offline before the command was sent");
    if (current_) {
      outcome_ = Outcome::disconnected;
      response_.cancel();
    }
  }
  wake();
}

void CommandQueue::resolve_pending(Received outcome) {
  if (!current_ || outcome == Received::ignore) return;
  switch (outcome) {
    case Received::success:
      outcome_ = Outcome::success;
      break;
    case Received::retry:
      outcome_ = Outcome::retry;
      break;
    case Received::abort:
      outcome_ = Outcome::abort;
      break;
    case Received::ignore:
      return;
  }
  response_.cancel();
}

void CommandQueue::clear(const std::string& reason) {
  fail_where([](const Command&) { return true; }, reason);
}

void CommandQueue::wake() {
  wake_.cancel();
}

void CommandQueue::finish(const std::shared_ptr<Command>& command, bool failed, std::string error) {
  command->done_ = true;
  command->failed_ = failed;
  command->error_ = std::move(error);
  if (command->signal_) command->signal_->cancel();
  for (auto& earlier : command->replaced_) {
    earlier->result_ = command->result_;
    finish(earlier, failed, command->error_);
  }
}

void CommandQueue::fail_where(const std::function<bool(const Command&)>& match,
                              const std::string& reason) {
  std::deque<std::shared_ptr<Command>> keep;
  for (auto& command : queue_) {
    if (match(*command)) {
      finish(command, true, reason);
    } else {
      keep.push_back(std::move(command));
    }
  }
  queue_.swap(keep);
}

void CommandQueue::expire_queued() {
  auto now = Clock::now();
  fail_where([now](const Command& c) { return now - c.queued_at_ >= c.options().max_queued; },
             describe_() + " stayed offline; command dropped after waiting for the reconnect");
}

Clock::time_point CommandQueue::next_expiry() const {
  auto next = Clock::time_point::max();
  for (const auto& c : queue_) next = std::min(next, c->queued_at_ + c->options().max_queued);
  return next;
}

std::shared_ptr<Command> CommandQueue::pop_best() {
  auto best = queue_.begin();
  for (auto it = queue_.begin(); it != queue_.end(); ++it)
    if ((*it)->options().priority > (*best)->options().priority) best = it;
  auto command = *best;
  queue_.erase(best);
  return command;
}

Task<void> CommandQueue::run() {
  auto self = shared_from_this();
  while (!stopped_) {
    expire_queued();
    if (!online_ || queue_.empty()) {
      wake_.expires_at(online_ ? Clock::time_point::max() : next_expiry());
      co_await wake_.async_wait(kWait);
      continue;
    }
    auto command = pop_best();
    co_await process(command);
    if (command->options().delay > Duration::zero() && !stopped_) {
      response_.expires_after(command->options().delay);
      co_await response_.async_wait(kWait);
    }
  }
}

Task<void> CommandQueue::process(std::shared_ptr<Command> command) {
  const auto& options = command->options();
  for (;;) {
    ++command->attempts_;
    if (!writer_(command->bytes())) {
      // The link is down even if the module has not heard yet; waiting for set_online(true)
      // keeps a requeued named command from spinning on the strand.
      online_ = false;
      outcome_ = Outcome::disconnected;
    } else if (!options.wait) {
      finish(command, false, {});
      co_return;
    } else {
      log_.trace("sent ", label(*command), " attempt ", command->attempts_);
      current_ = command;
      outcome_ = Outcome::waiting;
      response_.expires_after(options.timeout);
      co_await response_.async_wait(kWait);
      current_.reset();
    }
    switch (outcome_) {
      case Outcome::success:
        finish(command, false, {});
        co_return;
      case Outcome::abort:
        finish(command, true,
               command->error_.empty() ? "device refused " + label(*command) : command->error_);
        co_return;
      case Outcome::disconnected:
        if (!command->name().empty() && !stopped_) {
          --command->attempts_;
          queue_.push_front(command);  // sent again first thing after the reconnect
        } else {
          finish(command, true,
                 describe_() + " lost the connection while waiting for the reply to " +
                     label(*command));
        }
        co_return;
      case Outcome::waiting:
      case Outcome::retry:
        break;
    }
    bool timed_out = outcome_ == Outcome::waiting;
    if (command->attempts_ > options.retries) {
      auto attempts =
          std::to_string(command->attempts_) + " attempt" + (command->attempts_ == 1 ? "" : "s");
      finish(command, true,
             timed_out ? describe_() + ": no reply to " + label(*command) + " within " +
                             duration_text(options.timeout) + " (" + attempts + ")"
                       : describe_() + ": device kept asking to retry " + label(*command) + " (" +
                             attempts + ")");
      co_return;
    }
    log_.debug(timed_out ? "no reply to " : "device asked to retry ", label(*command),
               "; sending it again");
  }
}

}  // namespace roomd
