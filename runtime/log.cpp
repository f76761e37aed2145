#include "runtime/log.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include "base/wall_clock.hpp"

namespace roomd {
namespace {

// syslog priorities, so journald shows the right severity for each line.
int syslog_priority(LogLevel level) {
  switch (level) {
    case LogLevel::trace:
    case LogLevel::debug:
      return 7;
    case LogLevel::info:
      return 6;
    case LogLevel::warn:
      return 4;
    case LogLevel::error:
      return 3;
    case LogLevel::fatal:
      return 2;
  }
  return 6;
}

}  // namespace

LogChannel::LogChannel(LogHub& hub, std::string module_id, std::string klass, LogLevel persistent)
    : hub_(hub),
      module_id_(std::move(module_id)),
      klass_(std::move(klass)),
      effective_(static_cast<std::uint8_t>(persistent)),
      persistent_(persistent) {}

LogLevel LogChannel::persistent() const {
  std::lock_guard lock(mutex_);
  return persistent_;
}

void LogChannel::recompute_locked() {
  LogLevel level = persistent_;
  for (const auto& listener : listeners_) level = std::min(level, listener.level);
  effective_.store(static_cast<std::uint8_t>(level), std::memory_order_relaxed);
}

Logger::Logger(std::shared_ptr<LogChannel> channel)
    : channel_(std::move(channel)), level_(channel_ ? &channel_->effective_ : nullptr) {}

void Logger::write(LogLevel level, std::string_view message) const {
  if (channel_) channel_->hub_.dispatch(*channel_, level, message);
}

const std::string& Logger::module_id() const {
  static const std::string kNone;
  return channel_ ? channel_->module_id() : kNone;
}

LogHub::LogHub(LogLevel global) : global_(global) {
  const char* stream = std::getenv("JOURNAL_STREAM");
  journald_ = stream != nullptr && *stream != '\0';
}

void LogHub::set_global_level(LogLevel level) {
  std::lock_guard lock(mutex_);
  global_ = level;
}

void LogHub::reconfigure(LogLevel global,
                         const std::map<std::string, LogLevel, std::less<>>& configured) {
  std::lock_guard lock(mutex_);
  global_ = global;
  for (auto& [id, channel] : channels_) {
    if (restored_.contains(id)) continue;
    auto it = configured.find(id);
    std::lock_guard channel_lock(channel->mutex_);
    channel->persistent_ = it == configured.end() ? global : it->second;
    channel->recompute_locked();
  }
}

LogLevel LogHub::global_level() const {
  std::lock_guard lock(mutex_);
  return global_;
}

Logger LogHub::logger(const std::string& module_id, const std::string& klass,
                      std::optional<LogLevel> configured) {
  std::lock_guard lock(mutex_);
  if (auto it = channels_.find(module_id); it != channels_.end()) return Logger(it->second);
  LogLevel level = configured.value_or(global_);
  if (auto it = restored_.find(module_id); it != restored_.end()) level = it->second;
  auto channel = std::make_shared<LogChannel>(*this, module_id, klass, level);
  channels_.emplace(module_id, channel);
  return Logger(std::move(channel));
}

std::shared_ptr<LogChannel> LogHub::find(std::string_view module_id) const {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(module_id);
  return it == channels_.end() ? nullptr : it->second;
}

std::optional<LogLevel> LogHub::persistent_level(std::string_view module_id) const {
  auto channel = find(module_id);
  if (!channel) return std::nullopt;
  return channel->persistent();
}

std::optional<LogLevel> LogHub::effective_level(std::string_view module_id) const {
  auto channel = find(module_id);
  if (!channel) return std::nullopt;
  return channel->effective();
}

bool LogHub::set_persistent_level(std::string_view module_id, LogLevel level) {
  auto channel = find(module_id);
  if (!channel) return false;
  {
    std::lock_guard lock(channel->mutex_);
    channel->persistent_ = level;
    channel->recompute_locked();
  }
  std::function<void(const std::string&, LogLevel)> hook;
  {
    std::lock_guard lock(mutex_);
    restored_[std::string(module_id)] = level;
    hook = level_hook_;
  }
  if (hook) hook(channel->module_id(), level);
  return true;
}

void LogHub::restore_level(const std::string& module_id, LogLevel level) {
  std::lock_guard lock(mutex_);
  restored_[module_id] = level;
}

void LogHub::on_level_changed(std::function<void(const std::string&, LogLevel)> hook) {
  std::lock_guard lock(mutex_);
  level_hook_ = std::move(hook);
}

Subscription LogHub::subscribe(std::string_view module_id, LogLevel level, LogListener listener) {
  auto channel = find(module_id);
  if (!channel) return {};
  std::uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
  }
  {
    std::lock_guard lock(channel->mutex_);
    channel->listeners_.push_back({id, level, std::make_shared<LogListener>(std::move(listener))});
    channel->recompute_locked();
  }
  std::weak_ptr<LogChannel> weak = channel;
  return Subscription([weak, id] {
    auto ch = weak.lock();
    if (!ch) return;
    std::lock_guard lock(ch->mutex_);
    std::erase_if(ch->listeners_, [id](const auto& l) { return l.id == id; });
    ch->recompute_locked();
  });
}

Subscription LogHub::tap(LogLevel min_level, LogListener listener) {
  std::lock_guard lock(mutex_);
  auto id = next_id_++;
  taps_.push_back({id, min_level, std::make_shared<LogListener>(std::move(listener))});
  return Subscription([this, id] {
    std::lock_guard lock(mutex_);
    std::erase_if(taps_, [id](const auto& t) { return t.id == id; });
  });
}

void LogHub::set_stderr(bool enabled) {
  stderr_enabled_ = enabled;
}
void LogHub::set_journald(bool enabled) {
  journald_ = enabled;
}

void LogHub::dispatch(const LogChannel& channel, LogLevel level, std::string_view message) {
  LogRecord record{channel.module_id(), channel.klass(), level, message, unix_now()};
  std::vector<std::shared_ptr<LogListener>> targets;
  LogLevel persistent;
  {
    std::lock_guard lock(channel.mutex_);
    persistent = channel.persistent_;
    for (const auto& l : channel.listeners_)
      if (level >= l.level) targets.push_back(l.fn);
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& t : taps_)
      if (level >= t.level) targets.push_back(t.fn);
  }
  // A debug session lowers the effective level for its listeners only; the journal keeps
  // the persistent level so one curious admin does not flood it.
  if (level >= persistent && stderr_enabled_) write_stderr(record);
  for (const auto& fn : targets) (*fn)(record);
}

void LogHub::write_stderr(const LogRecord& record) {
  char prefix[48];
  if (journald_) {
    std::snprintf(prefix, sizeof prefix, "<%d>", syslog_priority(record.level));
  } else {
    auto seconds = static_cast<std::time_t>(record.time);
    int millis = static_cast<int>((record.time - static_cast<double>(seconds)) * 1000);
    std::tm tm{};
    localtime_r(&seconds, &tm);
    auto n = std::strftime(prefix, sizeof prefix, "%Y-%m-%d %H:%M:%S", &tm);
    std::snprintf(prefix + n, sizeof prefix - n, ".%03d ", millis);
  }
  std::string line;
  line.reserve(record.message.size() + 64);
  line += prefix;
  line += to_string(record.level);
  line.append(6 - to_string(record.level).size(), ' ');
  line += record.module_id;
  line += ' ';
  // One record, one line: control characters from devices must not break or forge lines.
  for (char c : record.message) {
    auto byte = static_cast<unsigned char>(c);
    line += (byte < 0x20 || byte == 0x7f) ? ' ' : c;
  }
  line += '\n';
  std::lock_guard lock(stderr_mutex_);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace roomd
