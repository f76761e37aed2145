#include "runtime/state_store.hpp"

#include <atomic>
#include <exception>
#include <string>
#include <unordered_map>
#include <utility>

namespace roomd {
namespace {

// Transparent hashing lets set()/get() look keys up by string_view without allocating.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

template <class Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

struct Slot {
  Slot(std::uint64_t slot_id, StateStore::Listener slot_fn) : id(slot_id), fn(std::move(slot_fn)) {}
  const std::uint64_t id;
  const StateStore::Listener fn;
  // Cleared by unsubscribe so a notify already holding an older list snapshot skips it.
  std::atomic<bool> active{true};
};

using SlotList = std::vector<std::shared_ptr<Slot>>;
using SlotListPtr = std::shared_ptr<const SlotList>;

SlotListPtr with_slot(const SlotListPtr& list, std::shared_ptr<Slot> slot) {
  auto copy = list ? std::make_shared<SlotList>(*list) : std::make_shared<SlotList>();
  copy->push_back(std::move(slot));
  return copy;
}

// Returns the list without `id`, or null when nothing is left.
SlotListPtr without_slot(const SlotListPtr& list, std::uint64_t id) {
  if (!list) return nullptr;
  auto copy = std::make_shared<SlotList>();
  copy->reserve(list->size());
  for (const auto& slot : *list) {
    if (slot->id != id) copy->push_back(slot);
  }
  if (copy->empty()) return nullptr;
  return copy;
}

struct Entry {
  Json value;
  SlotListPtr listeners;
  bool has_value = false;
};

// Calls every still-active listener. A listener belongs to whoever subscribed (the API, the
// persistence, the outbox), not to the module that set the value: its exception is reported
// and never reaches the setter, so a broken subscriber cannot fail or restart a module.
void call_all(const SlotListPtr& key_listeners, const SlotListPtr& all_listeners,
              std::string_view module_id, std::string_view name, const Json& value,
              const StateStore::ErrorReporter& report) {
  for (const SlotListPtr* list : {&key_listeners, &all_listeners}) {
    if (!*list) continue;
    for (const auto& slot : **list) {
      if (!slot->active.load(std::memory_order_acquire)) continue;
      try {
        slot->fn(module_id, name, value);
      } catch (const std::exception& e) {
        if (report) report(module_id, name, e.what());
      } catch (...) {
        if (report) report(module_id, name, "unknown exception");
      }
    }
  }
}

}  // namespace

struct StateStore::Core {
  // Finds or creates the entry; the caller holds `mutex`.
  Entry& entry(std::string_view module_id, std::string_view name) {
    auto module = modules.find(module_id);
    if (module == modules.end())
      module = modules.emplace(std::string(module_id), StringMap<Entry>{}).first;
    auto it = module->second.find(name);
    if (it == module->second.end()) it = module->second.emplace(std::string(name), Entry{}).first;
    return it->second;
  }

  Entry* find(std::string_view module_id, std::string_view name) {
    auto module = modules.find(module_id);
    if (module == modules.end()) return nullptr;
    auto it = module->second.find(name);
    return it == module->second.end() ? nullptr : &it->second;
  }

  // Drops an entry that holds neither a value nor listeners, so erased keys do not pile up.
  void prune(std::string_view module_id, std::string_view name) {
    auto module = modules.find(module_id);
    if (module == modules.end()) return;
    auto it = module->second.find(name);
    if (it == module->second.end() || it->second.has_value || it->second.listeners) return;
    module->second.erase(it);
    if (module->second.empty()) modules.erase(module);
  }

  void unsubscribe(const std::string& module_id, const std::string& name, std::uint64_t id) {
    SlotListPtr old;  // released after the lock: a listener's captures may call back into us
    std::lock_guard lock(mutex);
    Entry* found = find(module_id, name);
    if (!found) return;
    old = found->listeners;
    found->listeners = without_slot(old, id);
    prune(module_id, name);
  }

  void unsubscribe_all(std::uint64_t id) {
    SlotListPtr old;
    std::lock_guard lock(mutex);
    old = all;
    all = without_slot(old, id);
  }

  ErrorReporter report;  // set before the first set(), read without the lock
  mutable std::mutex mutex;
  StringMap<StringMap<Entry>> modules;
  SlotListPtr all;
  std::uint64_t next_id = 1;
  std::uint64_t changes = 0;
};

StateStore::StateStore() : core_(std::make_shared<Core>()) {}

StateStore::~StateStore() = default;

void StateStore::on_listener_error(ErrorReporter report) {
  core_->report = std::move(report);
}

bool StateStore::set(std::string_view module_id, std::string_view name, Json value) {
  SlotListPtr key_listeners;
  SlotListPtr all_listeners;
  Json notified;
  {
    std::lock_guard lock(core_->mutex);
    Entry& entry = core_->entry(module_id, name);
    if (entry.has_value && entry.value == value) return false;
    key_listeners = entry.listeners;
    all_listeners = core_->all;
    // The copy is what listeners see after the lock is gone; skip it when nobody listens.
    if (key_listeners || all_listeners) notified = value;
    entry.value = std::move(value);
    entry.has_value = true;
    ++core_->changes;
  }
  if (key_listeners || all_listeners) {
    call_all(key_listeners, all_listeners, module_id, name, notified, core_->report);
  }
  return true;
}

bool StateStore::erase(std::string_view module_id, std::string_view name) {
  SlotListPtr key_listeners;
  SlotListPtr all_listeners;
  {
    std::lock_guard lock(core_->mutex);
    Entry* entry = core_->find(module_id, name);
    if (!entry || !entry->has_value) return false;
    entry->value = nullptr;
    entry->has_value = false;
    ++core_->changes;
    key_listeners = entry->listeners;
    all_listeners = core_->all;
    core_->prune(module_id, name);
  }
  static const Json kNull;
  call_all(key_listeners, all_listeners, module_id, name, kNull, core_->report);
  return true;
}

void StateStore::restore(std::string_view module_id, std::string_view name, Json value) {
  std::lock_guard lock(core_->mutex);
  Entry& entry = core_->entry(module_id, name);
  entry.value = std::move(value);
  entry.has_value = true;
}

std::optional<Json> StateStore::get(std::string_view module_id, std::string_view name) const {
  std::lock_guard lock(core_->mutex);
  const Entry* entry = core_->find(module_id, name);
  if (!entry || !entry->has_value) return std::nullopt;
  return entry->value;
}

Json StateStore::module_state(std::string_view module_id) const {
  Json result = Json::object();
  std::lock_guard lock(core_->mutex);
  auto module = core_->modules.find(module_id);
  if (module == core_->modules.end()) return result;
  for (const auto& [name, entry] : module->second) {
    if (entry.has_value) result[name] = entry.value;
  }
  return result;
}

Subscription StateStore::subscribe(std::string_view module_id, std::string_view name,
                                   Listener listener) {
  std::uint64_t id = 0;
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard lock(core_->mutex);
    id = core_->next_id++;
    slot = std::make_shared<Slot>(id, std::move(listener));
    Entry& entry = core_->entry(module_id, name);
    entry.listeners = with_slot(entry.listeners, slot);
  }
  return Subscription([weak_core = std::weak_ptr<Core>(core_),
                       weak_slot = std::weak_ptr<Slot>(slot), module = std::string(module_id),
                       variable = std::string(name), id] {
    if (auto live = weak_slot.lock()) live->active.store(false, std::memory_order_release);
    if (auto core = weak_core.lock()) core->unsubscribe(module, variable, id);
  });
}

Subscription StateStore::subscribe_all(Listener listener) {
  std::uint64_t id = 0;
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard lock(core_->mutex);
    id = core_->next_id++;
    slot = std::make_shared<Slot>(id, std::move(listener));
    core_->all = with_slot(core_->all, slot);
  }
  return Subscription(
      [weak_core = std::weak_ptr<Core>(core_), weak_slot = std::weak_ptr<Slot>(slot), id] {
        if (auto live = weak_slot.lock()) live->active.store(false, std::memory_order_release);
        if (auto core = weak_core.lock()) core->unsubscribe_all(id);
      });
}

std::uint64_t StateStore::changes() const {
  std::lock_guard lock(core_->mutex);
  return core_->changes;
}

}  // namespace roomd
