// Per-module logging: a persistent level per module, debug sessions that lower it while
// someone listens, and one line per record on stderr (journald-aware). A record below a
// module's effective level is never formatted.
#pragma once

#include "base/log_level.hpp"
#include "runtime/sdk/logger.hpp"
#include "runtime/sdk/subscription.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace roomd {

struct LogRecord {
  std::string_view module_id;
  std::string_view klass;  // driver name, "roomd" for the runtime itself
  LogLevel level;
  std::string_view message;
  double time;  // Unix seconds
};

using LogListener = std::function<void(const LogRecord&)>;

class LogHub;

// One module's log state, shared by its Logger and the hub.
class LogChannel {
 public:
  LogChannel(LogHub& hub, std::string module_id, std::string klass, LogLevel persistent);

  LogLevel effective() const noexcept {
    return static_cast<LogLevel>(effective_.load(std::memory_order_relaxed));
  }
  LogLevel persistent() const;
  const std::string& module_id() const noexcept { return module_id_; }
  const std::string& klass() const noexcept { return klass_; }

 private:
  friend class LogHub;
  friend class Logger;
  void recompute_locked();

  LogHub& hub_;
  const std::string module_id_;
  const std::string klass_;
  std::atomic<std::uint8_t> effective_;
  mutable std::mutex mutex_;
  LogLevel persistent_;
  struct Listener {
    std::uint64_t id;
    LogLevel level;
    std::shared_ptr<LogListener> fn;
  };
  std::vector<Listener> listeners_;
};

class LogHub {
 public:
  explicit LogHub(LogLevel global = LogLevel::info);
  LogHub(const LogHub&) = delete;
  LogHub& operator=(const LogHub&) = delete;

  void set_global_level(LogLevel level);
  // A config reload's levels: every channel whose level was not set at runtime (an admin's
  // choice wins, as at start) takes its configured level, or the global one.
  void reconfigure(LogLevel global, const std::map<std::string, LogLevel, std::less<>>& configured);
  LogLevel global_level() const;

  // Creates the module's channel, or returns the existing one. `configured` is the config's
  // `log_level`; a level set at runtime and restored with `restore_level` wins over it.
  Logger logger(const std::string& module_id, const std::string& klass,
                std::optional<LogLevel> configured = std::nullopt);
  Logger system_logger() { return logger("roomd", "roomd"); }

  std::optional<LogLevel> persistent_level(std::string_view module_id) const;
  std::optional<LogLevel> effective_level(std::string_view module_id) const;
  // Changes a module's persistent level (admin action); returns false for an unknown module.
  // The persist hook stores it so it survives a restart.
  bool set_persistent_level(std::string_view module_id, LogLevel level);
  // A level stored by an earlier run, applied before channels are created.
  void restore_level(const std::string& module_id, LogLevel level);
  void on_level_changed(std::function<void(const std::string&, LogLevel)> hook);

  // Streams one module's records at `level` or above to `listener`, lowering the module's
  // effective level for as long as the subscription lives. Empty handle for unknown modules.
  Subscription subscribe(std::string_view module_id, LogLevel level, LogListener listener);
  // Every module's records at `min_level` or above (the outbox uses it for warn-or-worse).
  Subscription tap(LogLevel min_level, LogListener listener);

  // stderr output; journald mode prefixes <N> syslog priorities and drops the timestamp.
  void set_stderr(bool enabled);
  void set_journald(bool enabled);

  void dispatch(const LogChannel& channel, LogLevel level, std::string_view message);

 private:
  std::shared_ptr<LogChannel> find(std::string_view module_id) const;
  void write_stderr(const LogRecord& record);

  mutable std::mutex mutex_;
  LogLevel global_;
  std::map<std::string, std::shared_ptr<LogChannel>, std::less<>> channels_;
  std::map<std::string, LogLevel, std::less<>> restored_;
  std::function<void(const std::string&, LogLevel)> level_hook_;
  struct Tap {
    std::uint64_t id;
    LogLevel level;
    std::shared_ptr<LogListener> fn;
  };
  std::vector<Tap> taps_;
  std::uint64_t next_id_ = 1;
  std::atomic<bool> stderr_enabled_{true};
  std::atomic<bool> journald_{false};
  std::mutex stderr_mutex_;
};

}  // namespace roomd
