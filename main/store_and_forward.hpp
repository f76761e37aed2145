// The box's store-and-forward, built from `upstream` in the config: the durable outbox in the
// state directory, the recorder that fills it from the runtime and the request core, the
// outbox endpoint and metrics. Offline first: an outbox that cannot open is logged and the
// box runs without it.
#pragma once

#include "runtime/log.hpp"

#include <memory>

namespace roomd {

class Outbox;
class Recorder;
struct RequestCore;

class StoreAndForward {
 public:
  // Call before the runtime starts, so the recorder misses nothing.
  explicit StoreAndForward(RequestCore& core);
  ~StoreAndForward();
  StoreAndForward(const StoreAndForward&) = delete;
  StoreAndForward& operator=(const StoreAndForward&) = delete;

  // After the runtime's modules stopped: commits what is queued.
  void stop();
  Outbox* outbox() { return outbox_.get(); }

 private:
  RequestCore& core_;
  Logger log_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Recorder> recorder_;
};

}  // namespace roomd
