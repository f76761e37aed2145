// The box's MQTT upstream (design.md, "Offline operation and store-and-forward"): keeps the
// retained online and state topics true, drains the outbox to the events topic, and serves
// PlaceOS requests arriving on the cmd topic through the request core, answering on resp.
// Everything but the outbox reads and the MQTT socket runs on the request core's strand.
#pragma once

#include "config/config.hpp"
#include "uplink/core/status_change.hpp"
#include "uplink/mqtt/mqtt_client.hpp"
#include "uplink/mqtt/upstream_topics.hpp"

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace roomd {

class Outbox;
class OutboxDrain;
class HaDiscovery;
struct RequestCore;
namespace placeos {
class ControlSession;
}

class Upstream {
 public:
  // Forwards `outbox` to the broker of `config` as box `box_id`, serving cmd requests through
  // `core` (on core->strand). Logs through `log`, by default the core's logger. The outbox
  // must outlive the Upstream, or at least its stop().
  Upstream(std::shared_ptr<RequestCore> core, Outbox& outbox, const MqttConfig& config,
           std::string box_id, MqttClient::LogSink log = {});
  ~Upstream();  // stop()
  Upstream(const Upstream&) = delete;
  Upstream& operator=(const Upstream&) = delete;

  // Connects, and keeps reconnecting until stop(). Call on core->strand, once.
  void start();
  // On core->strand: publishes `online: false` (retained) and disconnects cleanly, so the
  // broker discards the last will; stops the drain and joins its reader. Idempotent.
  void stop();

  // On core->strand, for every status change: while connected, its retained state topic
  // takes the new value (an empty retained message when the variable was deleted).
  void status_changed(const StatusChange& change);
  // On core->strand, after a config reload removed modules: their discovery configs are
  // cleared (their state topics clear as their variables are erased).
  void modules_removed(const std::vector<std::string>& module_ids);

  // From any thread, for /metrics and the outbox endpoint.
  bool connected() const;
  std::uint64_t drained() const;  // records the broker acknowledged since start
  std::size_t in_flight() const;  // records published and not yet acknowledged

  const UpstreamTopics& topics() const { return topics_; }

 private:
  class CmdOutput;

  void on_connected();
  void on_disconnected();
  void on_message(MqttMessage message);
  void publish_online();
  void publish_states();
  void publish_state(const std::string& sys, const std::string& mod, int index,
                     const std::string& name, std::string value);

  std::shared_ptr<RequestCore> core_;
  Outbox& outbox_;
  const MqttConfig config_;
  const std::string box_id_;
  const UpstreamTopics topics_;
  MqttClient::LogSink log_;
  std::unique_ptr<MqttClient> client_;
  std::shared_ptr<OutboxDrain> drain_;
  std::unique_ptr<CmdOutput> cmd_output_;
  std::unique_ptr<placeos::ControlSession> cmd_;
  std::unique_ptr<HaDiscovery> discovery_;  // null unless discovery is "homeassistant"
  // State topics of variables deleted while disconnected: the next connect clears them, or
  // their last value would stay retained (it publishes only the variables there are).
  std::set<std::string> deleted_offline_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace roomd
