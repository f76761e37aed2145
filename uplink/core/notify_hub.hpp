// Fans status changes out to every binding of every client. Each bound variable is one topic
// with one state-store subscription; a change is serialized once, on the setter's thread,
// and handed to the API strand in order, where every subscriber's sink gets the same text.
// Front-end code never runs on a driver's strand.
#pragma once

#include "base/asio.hpp"
#include "base/json.hpp"
#include "runtime/state_store.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace roomd {

using SharedText = std::shared_ptr<const std::string>;

class NotifySink;
struct Topic;

// One client binding: owned by its client, registered with the hub while bound. The
// front-end frames each notify as head + value + tail.
struct Binding {
  NotifySink* sink = nullptr;
  std::string head;
  std::string tail;
  Topic* topic = nullptr;
  void* pending = nullptr;  // the sink's queued, not yet written notify (for coalescing)
};

class NotifySink {
 public:
  virtual ~NotifySink() = default;
  // `value` is the variable's JSON text. Runs on the API strand. Removing bindings from here
  // is safe (the hub defers it) but sinks should post teardown instead.
  virtual void notify(Binding& binding, const SharedText& value) = 0;
  // The binding is going away: drop any reference to it in queued messages.
  virtual void forget(Binding& binding) = 0;
};

struct TopicKey {
  std::string module_id;
  std::string name;
  auto operator<=>(const TopicKey&) const = default;
};

class NotifyHub {
 public:
  // `strand` is where bindings are added and removed and where sinks are called.
  NotifyHub(StateStore& state, Executor strand);
  ~NotifyHub();
  NotifyHub(const NotifyHub&) = delete;
  NotifyHub& operator=(const NotifyHub&) = delete;

  // Registers the binding under the variable's topic (created on first use).
  void add(Binding& binding, const TopicKey& key);
  void remove(Binding& binding);
  // The JSON text of the variable's current value; null when it has none.
  SharedText current(const Binding& binding) const;

  std::size_t bindings() const { return bindings_; }
  std::size_t topics() const { return topics_.size(); }
  std::uint64_t notifies() const { return notifies_; }

 private:
  class Inbox;

  void publish(Topic& topic, const SharedText& value);
  void compact(Topic& topic);

  StateStore& state_;
  std::shared_ptr<Inbox> inbox_;
  std::map<TopicKey, std::shared_ptr<Topic>> topics_;
  std::size_t bindings_ = 0;
  std::uint64_t notifies_ = 0;
};

}  // namespace roomd
