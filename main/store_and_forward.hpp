// The box's store-and-forward, built from `upstream` in the config: the durable outbox in the
// state directory, the recorder that fills it from the runtime and the request core, the MQTT
// upstream that drains it (with upstream.mqtt), the outbox endpoint and metrics. Offline
// first: an outbox that cannot open is logged and the box runs without it; a broker that is
// down only means records wait.
#pragma once

#include "runtime/log.hpp"

#include <memory>
#include <string>
#include <vector>

namespace roomd {

class Outbox;
class Recorder;
class Upstream;
struct RequestCore;

class StoreAndForward {
 public:
  // Call before the runtime starts, so the recorder misses nothing.
  explicit StoreAndForward(RequestCore& core);
  ~StoreAndForward();
  StoreAndForward(const StoreAndForward&) = delete;
  StoreAndForward& operator=(const StoreAndForward&) = delete;

  // On the event loop, before the modules stop: online goes false (retained) and the broker
  // connection closes cleanly.
  void stop_upstream();
  // After the runtime's modules stopped: commits what is queued.
  void stop();
  Outbox* outbox() { return outbox_.get(); }
  // On the event loop, after a config reload changed the modules or systems.
  void modules_changed(const std::vector<std::string>& removed);

 private:
  RequestCore& core_;
  Logger log_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<Upstream> upstream_;
};

}  // namespace roomd
