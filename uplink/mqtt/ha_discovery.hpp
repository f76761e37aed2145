// Home Assistant MQTT discovery (upstream.mqtt.discovery: "homeassistant"): one retained
// device config per module at homeassistant/device/<box>/<module_id>/config, whose components
// read the retained state topics and send commands as PlaceOS exec requests on the cmd topic;
// configs of modules no longer on the box are cleared. Runs on the upstream's strand.
#pragma once

#include "base/json.hpp"
#include "uplink/core/status_change.hpp"
#include "uplink/mqtt/box_modules.hpp"
#include "uplink/mqtt/mqtt_client.hpp"
#include "uplink/mqtt/upstream_topics.hpp"

#include <map>
#include <set>
#include <string>

namespace roomd {

struct RequestCore;

class HaDiscovery {
 public:
  HaDiscovery(MqttClient& client, RequestCore& core, const UpstreamTopics& topics,
              std::string box_id);

  // Subscribes to this box's discovery topics: their retained configs come back after every
  // connect, and those of modules gone are cleared.
  void start();
  // After each connect: publishes every module's config.
  void connected();
  // A message on a discovery topic of this box: clears it if it is stale. false: not ours.
  bool on_message(const MqttMessage& message);
  // While connected: a variable its module's config does not know yet republishes the config.
  void status_changed(const StatusChange& change);
  // While connected: a module taken out by a config reload; its config is cleared.
  void forget(const std::string& module_id);

  std::string topic(const std::string& module_id) const;
  // The device config of one module: its current status variables, each a component (see
  // docs/upstream.md for the mapping), or null when none maps.
  Json config(const PlacedModule& placed, const Json& state) const;

 private:
  void publish(const PlacedModule& placed);

  MqttClient& client_;
  RequestCore& core_;
  const UpstreamTopics& topics_;
  const std::string box_id_;
  std::string filter_;             // homeassistant/device/<box>/+/config
  std::set<std::string> current_;  // topics published since the last connect
  // Per module, the variables its published config was made from (mapped to a component or
  // not), so that only a new variable republishes it.
  std::map<std::string, std::set<std::string>, std::less<>> known_;
};

}  // namespace roomd
