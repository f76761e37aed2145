// A module's queue of device commands: one command on the wire at a time, highest
// priority first, with timeouts, retries, named replacement and a quiet delay after each.
// It runs on the module's strand; while the link is down unnamed commands fail at once and
// named ones wait (bounded) for the reconnect.
#pragma once

#include "base/asio.hpp"
#include "runtime/log.hpp"
#include "runtime/sdk/command.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace roomd {

class CommandQueue : public std::enable_shared_from_this<CommandQueue> {
 public:
  using Writer = std::function<bool(const std::string& bytes)>;
  using Describe = std::function<std::string()>;  // "mod-proj (tcp 10.0.0.5:4352)"

  CommandQueue(Executor strand, Logger log, Writer writer, Describe describe);

  // Spawns the loop that sends commands; call once, after construction.
  void start();
  // Fails every command and ends the loop. No command is sent after this.
  void stop(const std::string& reason);

  // Queues a command and waits for its end. Throws RequestFailed.
  Task<Json> send(std::string bytes, SendOptions options);

  void set_online(bool online);
  bool online() const { return online_; }

  // The command waiting for a reply, for the driver's `received`.
  Command* pending() const { return current_.get(); }
  // The driver's verdict on a frame for the pending command.
  void resolve_pending(Received outcome);

  void clear(const std::string& reason);
  std::size_t depth() const { return queue_.size() + (current_ ? 1 : 0); }

 private:
  enum class Outcome { waiting, success, retry, abort, disconnected };

  Task<void> run();
  Task<void> process(std::shared_ptr<Command> command);
  std::shared_ptr<Command> pop_best();
  void finish(const std::shared_ptr<Command>& command, bool failed, std::string error);
  void fail_where(const std::function<bool(const Command&)>& match, const std::string& reason);
  void expire_queued();
  Clock::time_point next_expiry() const;
  void wake();

  Executor strand_;
  Logger log_;
  Writer writer_;
  Describe describe_;
  std::deque<std::shared_ptr<Command>> queue_;
  std::shared_ptr<Command> current_;
  Outcome outcome_ = Outcome::waiting;
  asio::steady_timer wake_;
  asio::steady_timer response_;
  bool online_ = false;
  bool stopped_ = false;
};

}  // namespace roomd
