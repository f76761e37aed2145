#include "uplink/core/notify_hub.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <mutex>
#include <utility>

namespace roomd {

struct Topic {
  TopicKey key;
  std::vector<Binding*> bindings;  // null slots: removed during a publish, compacted after
  Subscription subscription;
  int publishing = 0;
  bool live = true;  // false once the hub let go of it: queued changes for it are dropped
};

// Changes from the setters' threads, in the order they were set, drained on the strand by
// one posted handler per batch. It outlives the hub while a drain is queued.
class NotifyHub::Inbox : public std::enable_shared_from_this<Inbox> {
 public:
  explicit Inbox(Executor strand) : strand_(std::move(strand)) {}

  void push(std::shared_ptr<Topic> topic, SharedText value) {
    bool first = false;
    {
      std::lock_guard lock(mutex_);
      first = changes_.empty();
      changes_.push_back({std::move(topic), std::move(value)});
    }
    if (first) asio::post(strand_, [self = shared_from_this()] { self->drain(); });
  }

  NotifyHub* hub = nullptr;  // set and cleared on the strand

 private:
  struct Change {
    std::shared_ptr<Topic> topic;
    SharedText value;
  };

  void drain() {
    {
      std::lock_guard lock(mutex_);
      draining_.swap(changes_);
    }
    for (auto& change : draining_)
      if (hub && change.topic->live) hub->publish(*change.topic, change.value);
    draining_.clear();  // keeps its capacity for the next batch
  }

  Executor strand_;
  std::mutex mutex_;
  std::vector<Change> changes_;
  std::vector<Change> draining_;  // only on the strand
};

NotifyHub::NotifyHub(StateStore& state, Executor strand)
    : state_(state), inbox_(std::make_shared<Inbox>(std::move(strand))) {
  inbox_->hub = this;
}

NotifyHub::~NotifyHub() {
  inbox_->hub = nullptr;
  for (auto& [key, topic] : topics_) {
    topic->live = false;
    topic->subscription.reset();
  }
}

void NotifyHub::add(Binding& binding, const TopicKey& key) {
  auto& slot = topics_[key];
  if (!slot) {
    slot = std::make_shared<Topic>();
    slot->key = key;
    // Runs on the setter's thread: serialize there, deliver on the strand.
    slot->subscription = state_.subscribe(
        key.module_id, key.name,
        [inbox = inbox_, weak = std::weak_ptr<Topic>(slot)](auto, auto, const Json& value) {
          if (auto topic = weak.lock())
            inbox->push(std::move(topic), std::make_shared<const std::string>(to_text(value)));
        });
  }
  binding.topic = slot.get();
  slot->bindings.push_back(&binding);
  ++bindings_;
}

void NotifyHub::remove(Binding& binding) {
  Topic* topic = binding.topic;
  if (topic == nullptr) return;
  binding.topic = nullptr;
  auto& list = topic->bindings;
  auto it = std::find(list.begin(), list.end(), &binding);
  if (it == list.end()) return;
  --bindings_;
  if (topic->publishing > 0) {
    *it = nullptr;  // publish() is walking the list: it compacts when done
    return;
  }
  *it = list.back();
  list.pop_back();
  compact(*topic);
}

void NotifyHub::compact(Topic& topic) {
  auto& list = topic.bindings;
  list.erase(std::remove(list.begin(), list.end(), nullptr), list.end());
  if (!list.empty()) return;
  topic.live = false;
  topic.subscription.reset();
  const TopicKey key = topic.key;  // the topic (and its key) may die in the erase
  topics_.erase(key);
}

SharedText NotifyHub::current(const Binding& binding) const {
  if (binding.topic == nullptr) return nullptr;
  auto value = state_.get(binding.topic->key.module_id, binding.topic->key.name);
  if (!value) return nullptr;
  return std::make_shared<const std::string>(to_text(*value));
}

void NotifyHub::publish(Topic& topic, const SharedText& value) {
  if (topic.bindings.empty()) return;
  ++topic.publishing;
  // By index: a sink may remove bindings (its own) while we walk; they become null slots.
  for (std::size_t i = 0; i < topic.bindings.size(); ++i) {
    if (Binding* binding = topic.bindings[i]) {
      binding->sink->notify(*binding, value);
      ++notifies_;
    }
  }
  --topic.publishing;
  if (topic.publishing == 0 &&
      std::find(topic.bindings.begin(), topic.bindings.end(), nullptr) != topic.bindings.end())
    compact(topic);  // may destroy the topic: nothing touches it after this
}

}  // namespace roomd
