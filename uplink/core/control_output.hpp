// Where a front-end's answers to one client go: whole messages (replies, errors, events) and
// the notifies of its bindings. A WebSocket session and the MQTT upstream implement it, so a
// dialect's codec never knows which transport carries it.
#pragma once

#include "uplink/core/notify_hub.hpp"

#include <string>

namespace roomd {

class ControlOutput : public NotifySink {
 public:
  // A whole message that is never coalesced (success, error, debug, event).
  virtual void send(std::string message) = 0;
};

}  // namespace roomd
