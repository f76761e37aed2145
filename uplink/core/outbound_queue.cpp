#include "uplink/core/outbound_queue.hpp"

namespace roomd {

// Built in place: a notify is queued once per subscriber per change, the fan-out's hot path.
void OutboundQueue::push(std::string text) {
  auto& message = messages_.emplace_back();
  message.text = std::move(text);
  message.queued_at = Clock::now();
  bytes_ += message.size();
}

bool OutboundQueue::push_notify(Binding& binding, const SharedText& value) {
  if (binding.pending != nullptr) {
    auto* queued = static_cast<Message*>(binding.pending);
    bytes_ -= queued->size();
    queued->value = value;
    bytes_ += queued->size();
    return true;
  }
  auto& message = messages_.emplace_back();
  message.value = value;
  message.binding = &binding;
  message.queued_at = Clock::now();
  bytes_ += message.size();
  binding.pending = &message;
  return false;
}

void OutboundQueue::forget(Binding& binding) {
  if (binding.pending == nullptr) return;
  auto* queued = static_cast<Message*>(binding.pending);
  queued->text = binding.head;  // the notify still goes out: it keeps its own framing
  queued->tail = binding.tail;
  queued->binding = nullptr;
  binding.pending = nullptr;
}

void OutboundQueue::pop_front() {
  auto& front = messages_.front();
  if (front.binding != nullptr) front.binding->pending = nullptr;
  bytes_ -= front.size();
  messages_.pop_front();
}

void OutboundQueue::clear() {
  while (!messages_.empty()) pop_front();
}

std::optional<Clock::time_point> OutboundQueue::oldest() const {
  if (messages_.empty()) return std::nullopt;
  return messages_.front().queued_at;
}

}  // namespace roomd
