// A client's messages that have not reached its connection yet: replies and notifies in
// order, where a binding's queued notify is replaced by its newer value (the slow-consumer
// coalescing protocol.md asks for), with the bytes and the oldest age each session's bounds
// need. Every front-end session that carries notifies owns one.
#pragma once

#include "base/asio.hpp"
#include "uplink/core/notify_hub.hpp"

#include <deque>
#include <optional>
#include <string>

namespace roomd {

class OutboundQueue {
 public:
  // A whole message in `text`, or a notify: head + value + tail, where head and tail are the
  // binding's while it is bound and copied here when it goes away first.
  struct Message {
    std::string text;
    SharedText value;
    std::string tail;
    Binding* binding = nullptr;  // a notify that may still be replaced by a newer value
    Clock::time_point queued_at;

    bool is_notify() const { return value != nullptr; }
    const std::string& head_text() const { return binding ? binding->head : text; }
    const std::string& tail_text() const { return binding ? binding->tail : tail; }
    std::size_t size() const {
      return head_text().size() + (value ? value->size() + tail_text().size() : 0);
    }
  };

  OutboundQueue() = default;
  ~OutboundQueue() { clear(); }
  OutboundQueue(const OutboundQueue&) = delete;
  OutboundQueue& operator=(const OutboundQueue&) = delete;

  void push(std::string text);
  // True when the value replaced the binding's notify that is still queued (nothing new was
  // queued); false when it was queued as a new message.
  bool push_notify(Binding& binding, const SharedText& value);
  // The binding is going away: its queued notify keeps a copy of its framing.
  void forget(Binding& binding);

  bool empty() const { return messages_.empty(); }
  const Message& front() const { return messages_.front(); }
  // Once the front is handed to the connection, newer values of its binding queue anew.
  void pop_front();
  void clear();

  std::size_t bytes() const { return bytes_; }
  std::optional<Clock::time_point> oldest() const;

 private:
  // A deque keeps element addresses stable when its ends change, which Binding::pending
  // relies on.
  std::deque<Message> messages_;
  std::size_t bytes_ = 0;
};

}  // namespace roomd
