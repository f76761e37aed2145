#include "runtime/alert_book.hpp"

#include "base/wall_clock.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <utility>

namespace roomd {
namespace {

constexpr std::array<const char*, 4> kSeverityNames = {"low", "medium", "high", "critical"};

}  // namespace

const char* to_string(AlertSeverity severity) {
  return kSeverityNames[static_cast<std::size_t>(severity)];
}

std::optional<AlertSeverity> parse_alert_severity(std::string_view text) {
  for (std::size_t i = 0; i < kSeverityNames.size(); ++i)
    if (text == kSeverityNames[i]) return static_cast<AlertSeverity>(i);
  return std::nullopt;
}

struct AlertBook::Core {
  void tell(const Alert& alert, bool raised) {
    for (const auto& [id, listener] : listeners) listener(alert, raised);
  }

  mutable std::mutex mutex;
  std::vector<Alert> active;  // in the order raised
  std::map<std::uint64_t, Listener> listeners;
  std::uint64_t next_listener = 1;
};

AlertBook::AlertBook() : core_(std::make_shared<Core>()) {}
AlertBook::~AlertBook() = default;

bool AlertBook::raise(Alert alert) {
  std::lock_guard lock(core_->mutex);
  auto& active = core_->active;
  if (std::any_of(active.begin(), active.end(), [&](const Alert& a) { return a.id == alert.id; }))
    return false;
  if (alert.raised_at == 0) alert.raised_at = unix_now();
  active.push_back(std::move(alert));
  core_->tell(active.back(), true);
  return true;
}

bool AlertBook::clear(std::string_view id) {
  std::lock_guard lock(core_->mutex);
  auto& active = core_->active;
  auto it = std::find_if(active.begin(), active.end(), [&](const Alert& a) { return a.id == id; });
  if (it == active.end()) return false;
  Alert gone = std::move(*it);
  active.erase(it);
  core_->tell(gone, false);
  return true;
}

void AlertBook::clear_prefix(std::string_view prefix) {
  std::lock_guard lock(core_->mutex);
  auto& active = core_->active;
  for (auto it = active.begin(); it != active.end();) {
    if (std::string_view(it->id).substr(0, prefix.size()) != prefix) {
      ++it;
      continue;
    }
    Alert gone = std::move(*it);
    it = active.erase(it);
    core_->tell(gone, false);
  }
}

std::vector<Alert> AlertBook::active() const {
  std::lock_guard lock(core_->mutex);
  return core_->active;
}

std::optional<Alert> AlertBook::find(std::string_view id) const {
  std::lock_guard lock(core_->mutex);
  for (const auto& alert : core_->active)
    if (alert.id == id) return alert;
  return std::nullopt;
}

Subscription AlertBook::subscribe(Listener listener) {
  std::lock_guard lock(core_->mutex);
  const auto id = core_->next_listener++;
  core_->listeners.emplace(id, std::move(listener));
  return Subscription([weak = std::weak_ptr<Core>(core_), id] {
    if (auto core = weak.lock()) {
      std::lock_guard lock(core->mutex);
      core->listeners.erase(id);
    }
  });
}

}  // namespace roomd
