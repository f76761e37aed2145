#include "uplink/notify_hub.hpp"

#include <algorithm>

namespace roomd {

std::string NotifyHub::meta_json(const TopicKey& key) {
  std::string out = "{\"sys\":";
  out += to_text(key.sys);
  out += ",\"mod\":";
  out += to_text(key.mod);
  out += ",\"index\":";
  out += std::to_string(key.index);
  out += ",\"name\":";
  out += to_text(key.name);
  out += '}';
  return out;
}

std::string NotifyHub::notify_tail(const Json& value, const std::string& meta) {
  std::string out = ",\"type\":\"notify\",\"value\":";
  out += to_text(value);
  out += ",\"meta\":";
  out += meta;
  out += '}';
  return out;
}

void NotifyHub::add(Binding& binding, const TopicKey& key, const std::string& module_id) {
  auto& slot = topics_[key];
  if (!slot) {
    slot = std::make_unique<Topic>();
    slot->key = key;
    slot->module_id = module_id;
    slot->meta = meta_json(key);
    Topic* topic = slot.get();
    // The store calls back on the setter's thread, which is the io thread: drivers run on
    // strands of the single-threaded io_context.
    slot->subscription =
        state_.subscribe(module_id, key.name,
                         [this, topic](auto, auto, const Json& value) { publish(*topic, value); });
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
  if (list.empty()) {
    const TopicKey key = topic.key;  // the topic (and its key) dies in the erase
    topics_.erase(key);
  }
}

SharedText NotifyHub::current(const Binding& binding) const {
  if (binding.topic == nullptr) return nullptr;
  auto value = state_.get(binding.topic->module_id, binding.topic->key.name);
  if (!value) return nullptr;
  return std::make_shared<const std::string>(notify_tail(*value, binding.topic->meta));
}

void NotifyHub::publish(Topic& topic, const Json& value) {
  if (topic.bindings.empty()) return;
  auto tail = std::make_shared<const std::string>(notify_tail(value, topic.meta));
  ++topic.publishing;
  // By index: a sink may remove bindings (its own) while we walk; they become null slots.
  for (std::size_t i = 0; i < topic.bindings.size(); ++i) {
    if (Binding* binding = topic.bindings[i]) {
      binding->sink->notify(*binding, tail);
      ++notifies_;
    }
  }
  --topic.publishing;
  if (topic.publishing == 0 &&
      std::find(topic.bindings.begin(), topic.bindings.end(), nullptr) != topic.bindings.end())
    compact(topic);  // may destroy the topic: nothing touches it after this
}

}  // namespace roomd
