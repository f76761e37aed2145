#include "runtime/module_alerts.hpp"

#include "base/text.hpp"

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <mutex>

namespace roomd {
namespace {

bool is_true(const std::optional<Json>& value) {
  return value && value->is_boolean() && value->get<bool>();
}

}  // namespace

struct ModuleAlerts::Core : std::enable_shared_from_this<Core> {
  Core(asio::io_context& io, AlertBook& book, StateStore& state, const AlertSubjects& subjects,
       Duration offline_after)
      : io(io), book(book), state(state), subjects(subjects), offline_after(offline_after) {}

  // `connected` changed: a device module that stays disconnected is offline after the grace.
  void connected_changed(const std::string& module_id, bool connected) {
    if (!subjects.has_device(module_id)) return;
    std::lock_guard lock(mutex);
    if (connected) {
      if (auto it = waiting.find(module_id); it != waiting.end()) {
        it->second->cancel();
        waiting.erase(it);
      }
      book.clear(offline_id(module_id));
      return;
    }
    if (waiting.count(module_id) || book.find(offline_id(module_id))) return;
    auto timer = std::make_shared<asio::steady_timer>(io, offline_after);
    waiting[module_id] = timer;
    timer->async_wait([weak = weak_from_this(), module_id, timer](const error_code& ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->grace_over(module_id, timer);
    });
  }

  void grace_over(const std::string& module_id, const std::shared_ptr<asio::steady_timer>& timer) {
    std::lock_guard lock(mutex);
    auto it = waiting.find(module_id);
    if (it == waiting.end() || it->second != timer) return;  // superseded
    waiting.erase(it);
    if (!subjects.has_device(module_id) || is_true(state.get(module_id, "connected"))) return;
    // A failed module is offline because it failed; its critical alert says so already.
    if (book.find(failed_id(module_id))) return;
    book.raise(subjects.about(module_id, offline_id(module_id), AlertSeverity::high, "offline"));
  }

  asio::io_context& io;
  AlertBook& book;
  StateStore& state;
  const AlertSubjects& subjects;
  std::mutex mutex;
  Duration offline_after;
  std::map<std::string, std::shared_ptr<asio::steady_timer>, std::less<>> waiting;
};

ModuleAlerts::ModuleAlerts(asio::io_context& io, AlertBook& book, StateStore& state,
                           const AlertSubjects& subjects, Duration offline_after)
    : core_(std::make_shared<Core>(io, book, state, subjects, offline_after)) {
  connected_ = state.subscribe_all([weak = std::weak_ptr<Core>(core_)](std::string_view module_id,
                                                                       std::string_view name,
                                                                       const Json& value) {
    if (name != "connected") return;
    if (auto core = weak.lock())
      core->connected_changed(std::string(module_id), value.is_boolean() && value.get<bool>());
  });
}

ModuleAlerts::~ModuleAlerts() {
  connected_ = {};
  std::lock_guard lock(core_->mutex);
  for (auto& [id, timer] : core_->waiting) timer->cancel();
  core_->waiting.clear();
}

std::string ModuleAlerts::offline_id(std::string_view module_id) {
  return "offline/" + std::string(module_id);
}

std::string ModuleAlerts::failed_id(std::string_view module_id) {
  return "failed/" + std::string(module_id);
}

std::string ModuleAlerts::driver_id(std::string_view module_id, std::string_view key) {
  return "driver/" + std::string(module_id) + "/" + std::string(key);
}

void ModuleAlerts::module_event(const std::string& module_id, std::string_view event,
                                const std::string& detail) {
  auto& book = core_->book;
  if (event == "failed") {
    book.clear(offline_id(module_id));
    book.raise(core_->subjects.about(module_id, failed_id(module_id), AlertSeverity::critical,
                                     "failed: " + excerpt(detail, 200) + " (restarting)"));
  } else if (event == "connected") {
    book.clear(failed_id(module_id));
  }
}

void ModuleAlerts::driver_raised(const std::string& module_id, std::string_view key,
                                 AlertSeverity severity, const std::string& title) {
  core_->book.raise(
      core_->subjects.about(module_id, driver_id(module_id, key), severity, ": " + title));
}

void ModuleAlerts::driver_cleared(const std::string& module_id, std::string_view key) {
  core_->book.clear(driver_id(module_id, key));
}

void ModuleAlerts::watch(const std::vector<std::string>& module_ids) {
  // A restored `connected` of false is not a change, so nobody would hear of it.
  for (const auto& id : module_ids)
    core_->connected_changed(id, is_true(core_->state.get(id, "connected")));
}

void ModuleAlerts::reloaded(const ConfigDiff& diff) {
  auto& book = core_->book;
  for (const auto* ids : {&diff.removed, &diff.changed}) {
    for (const auto& id : *ids) {
      {
        std::lock_guard lock(core_->mutex);
        if (auto it = core_->waiting.find(id); it != core_->waiting.end()) {
          it->second->cancel();
          core_->waiting.erase(it);
        }
      }
      book.clear(offline_id(id));
      book.clear(failed_id(id));
      book.clear_prefix(driver_id(id, ""));
    }
  }
  watch(diff.added);
  watch(diff.changed);
}

void ModuleAlerts::set_offline_after(Duration offline_after) {
  std::lock_guard lock(core_->mutex);
  core_->offline_after = offline_after;
}

}  // namespace roomd
