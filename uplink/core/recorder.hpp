// Turns what happens on the box into outbox records: every status change (with the address a
// consumer knows it by), module events, warn-or-worse log records, alerts raised and cleared
// and the audit of every exec (through the request core). Status changes also go to a listener (the
// MQTT upstream's retained state) on the request core's strand.
#pragma once

#include "uplink/core/exec_audit.hpp"
#include "uplink/core/status_change.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace roomd {

class Outbox;
class Runtime;
class Subscription;
struct RequestCore;

class Recorder {
 public:
  using StatusListener = std::function<void(const StatusChange&)>;

  Recorder(RequestCore& core, Outbox& outbox);
  ~Recorder();  // stop()
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Set before start(); runs on the core's strand.
  void on_status(StatusListener listener) {
    status_listener_ = std::make_shared<StatusListener>(std::move(listener));
  }
  // Subscribes to the runtime (before it starts, so nothing is missed) and to the core's
  // exec audit.
  void start();
  // After the runtime's modules stopped: module events arrive on their strands.
  void stop();

  void record_exec(const ExecAudit& audit);
  // After a config reload: the addresses of modules added or moved. A removed module keeps
  // its address, so the null of each of its erased variables still reaches its topic.
  void refresh_addresses();

 private:
  struct Address {
    std::string sys;
    std::string mod;
    int index = 1;
  };
  void record_status(std::string_view module_id, std::string_view name, const Json& value);

  RequestCore& core_;
  Outbox& outbox_;
  std::map<std::string, Address, std::less<>> addresses_;  // module id -> its first system's
  // Shared with the posts on their way to the strand, which skip it once stop() dropped it.
  std::shared_ptr<StatusListener> status_listener_;
  std::vector<std::unique_ptr<Subscription>> subscriptions_;
};

}  // namespace roomd
