// The box's current status: one JSON value per (module id, status name). Setting a value
// notifies subscribers only when it really changed. Listeners run on the setter's thread,
// after the store's lock is released; a listener that needs its own executor posts to it.
// A listener that throws is reported, never the setter's problem.
#pragma once

#include "base/json.hpp"
#include "runtime/sdk/subscription.hpp"

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

  // What a listener threw, for the log: the variable and the exception's message.
  using ErrorReporter =
      std::function<void(std::string_view module_id, std::string_view name, std::string_view what)>;

  StateStore();
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Where listeners' exceptions go; they never reach the setter. Call before the first set().
  void on_listener_error(ErrorReporter report);

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
  // Listener state lives in a core shared with every Subscription handle, so a handle that
  // outlives the store (or is reset from inside a callback) stays harmless.
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace roomd
