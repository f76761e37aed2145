// Fans status changes out to every binding of every connection. Each bound variable is one
// topic with one state-store subscription; a change is serialized once per topic and the same
// bytes are shared by every subscriber's message (only the bind id in front differs).
#pragma once

#include "base/json.hpp"
#include "runtime/state_store.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace roomd {

using SharedText = std::shared_ptr<const std::string>;

class NotifySink;
struct Topic;

// One client binding: owned by its session, registered with the hub while bound.
struct Binding {
  NotifySink* sink = nullptr;
  std::string head;  // `{"id":<bind id>`: what goes in front of the shared tail
  Topic* topic = nullptr;
  void* pending = nullptr;  // the sink's queued, not yet written notify (for coalescing)
};

class NotifySink {
 public:
  virtual ~NotifySink() = default;
  // `tail` is `,"type":"notify","value":...,"meta":{...}}`. Runs on the io thread. Removing
  // bindings from here is safe (the hub defers it) but sinks should post teardown instead.
  virtual void notify(Binding& binding, const SharedText& tail) = 0;
};

struct TopicKey {
  std::string sys;
  std::string mod;
  int index;
  std::string name;
  auto operator<=>(const TopicKey&) const = default;
};

struct Topic {
  TopicKey key;
  std::string module_id;
  std::string meta;                // serialized {"sys":..,"mod":..,"index":..,"name":..}
  std::vector<Binding*> bindings;  // null slots: removed during a publish, compacted after
  Subscription subscription;
  int publishing = 0;
};

class NotifyHub {
 public:
  explicit NotifyHub(StateStore& state) : state_(state) {}
  NotifyHub(const NotifyHub&) = delete;
  NotifyHub& operator=(const NotifyHub&) = delete;

  // Registers the binding under the topic (created on first use).
  void add(Binding& binding, const TopicKey& key, const std::string& module_id);
  void remove(Binding& binding);
  // The tail for the variable's current value; null when it has none.
  SharedText current(const Binding& binding) const;

  std::size_t bindings() const { return bindings_; }
  std::size_t topics() const { return topics_.size(); }
  std::uint64_t notifies() const { return notifies_; }

  static std::string meta_json(const TopicKey& key);
  static std::string notify_tail(const Json& value, const std::string& meta);

 private:
  void publish(Topic& topic, const Json& value);
  void compact(Topic& topic);

  StateStore& state_;
  std::map<TopicKey, std::unique_ptr<Topic>> topics_;
  std::size_t bindings_ = 0;
  std::uint64_t notifies_ = 0;
};

}  // namespace roomd
