// The box's current status: one JSON value per (module id, status name). Setting a value
// notifies subscribers only when it really changed. Listeners run on the setter's thread,
// after the store's lock is released; a listener that needs its own executor posts to it.
#pragma once

#include "runtime/json.hpp"
#include "runtime/subscription.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd {

class StateStore {
 public:
  using Listener =
      std::function<void(std::string_view module_id, std::string_view name, const Json& value)>;

  StateStore() = default;
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Stores the value; returns true and notifies when it differs from the current one.
  bool set(std::string_view module_id, std::string_view name, Json value);
  // Removes a variable; listeners see null. Returns false when it did not exist.
  bool erase(std::string_view module_id, std::string_view name);
  // Loads a value persisted by an earlier run, without notifying anyone.
  void restore(std::string_view module_id, std::string_view name, Json value);

  std::optional<Json> get(std::string_view module_id, std::string_view name) const;
  // Every variable of one module as one JSON object (empty object for none).
  Json module_state(std::string_view module_id) const;

  // Changes of one variable.
  Subscription subscribe(std::string_view module_id, std::string_view name, Listener listener);
  // Every change of every variable (persistence, outbox).
  Subscription subscribe_all(Listener listener);

  std::uint64_t changes() const;

 private:
  using Key = std::pair<std::string, std::string>;
  struct Entry {
    Json value;
    std::uint64_t next_listener = 1;
    // Shared so notify can copy the list cheaply and release the lock before calling out.
    std::shared_ptr<const std::vector<std::pair<std::uint64_t, std::shared_ptr<Listener>>>>
        listeners;
    bool has_value = false;
  };

  void notify(const std::shared_ptr<const std::vector<
                  std::pair<std::uint64_t, std::shared_ptr<Listener>>>>& key_listeners,
              std::string_view module_id, std::string_view name, const Json& value);

  mutable std::mutex mutex_;
  std::map<Key, Entry, std::less<>> entries_;
  std::shared_ptr<const std::vector<std::pair<std::uint64_t, std::shared_ptr<Listener>>>> all_;
  std::uint64_t next_all_id_ = 1;
  std::uint64_t changes_ = 0;
};

}  // namespace roomd
