#include "uplink/mqtt/ha_discovery.hpp"

#include "uplink/core/request_core.hpp"

namespace roomd {

namespace {

constexpr const char* kPrefix = "homeassistant/device/";

// The method that sets `name` and takes one argument: a command for its component.
const MethodInfo* setter_of(const DriverInfo& info, const std::string& name) {
  for (const auto& method : info.methods)
    if ((method.sets == name || method.name == name) && !method.privileged &&
        !method.params.empty())
      return &method;
  return nullptr;
}

}  // namespace

HaDiscovery::HaDiscovery(MqttClient& client, RequestCore& core, const UpstreamTopics& topics,
                         std::string box_id)
    : client_(client),
      core_(core),
      topics_(topics),
      box_id_(std::move(box_id)),
      filter_(kPrefix + box_id_ + "/+/config") {}

std::string HaDiscovery::topic(const std::string& module_id) const {
  return kPrefix + box_id_ + "/" + module_id + "/config";
}

void HaDiscovery::start() {
  client_.subscribe(filter_, 1);
}

void HaDiscovery::connected() {
  current_.clear();
  known_.clear();
  for (const auto& placed : box_modules(core_)) publish(placed);
}

void HaDiscovery::status_changed(const StatusChange& change) {
  if (!change.value) return;  // a deleted variable stays in the config until the next connect
  if (auto it = known_.find(change.module_id);
      it != known_.end() && it->second.contains(change.name))
    return;
  for (const auto& placed : box_modules(core_))
    if (placed.member.module_id == change.module_id) return publish(placed);
}

void HaDiscovery::forget(const std::string& module_id) {
  known_.erase(module_id);
  if (current_.erase(topic(module_id))) client_.publish(topic(module_id), "", 1, true);
}

void HaDiscovery::publish(const PlacedModule& placed) {
  const auto& module_id = placed.member.module_id;
  const auto state = core_.module_state(*placed.member.module);
  auto& names = known_[module_id];
  names.clear();
  for (const auto& [name, value] : state.items()) names.insert(name);
  auto payload = config(placed, state);
  if (payload.is_null()) return;
  current_.insert(topic(module_id));
  client_.publish(topic(module_id), payload.dump(), 1, true);
}

bool HaDiscovery::on_message(const MqttMessage& message) {
  const auto prefix = std::string(kPrefix) + box_id_ + "/";
  if (!message.topic.starts_with(prefix) || !message.topic.ends_with("/config")) return false;
  if (!message.payload.empty() && !current_.contains(message.topic))
    client_.publish(message.topic, "", 1, true);
  return true;
}

Json HaDiscovery::config(const PlacedModule& placed, const Json& state) const {
  const auto& member = placed.member;
  const auto& info = RequestCore::driver_info(*member.module);
  const std::string place = member.name + "_" + std::to_string(member.index);
  Json components = Json::object();
  for (const auto& [name, value] : state.items()) {
    const std::string id = box_id_ + "_" + member.module_id + "_" + name;
    Json c{{"unique_id", id},
           {"name", name},
           {"state_topic", topics_.state(placed.sys, member.name, member.index, name)}};
    if (value.is_boolean()) {
      if (const auto* setter = setter_of(info, name)) {
        // HA sends ON or OFF through the template: an exec of the setter on the cmd topic.
        c["p"] = "switch";
        c["state_on"] = "true";
        c["state_off"] = "false";
        c["command_topic"] = topics_.cmd;
        // Jinja inside: not JSON until Home Assistant renders it.
        c["command_template"] = "{\"id\":0,\"cmd\":\"exec\",\"sys\":" + Json(placed.sys).dump() +
                                ",\"mod\":" + Json(member.name).dump() +
                                ",\"index\":" + std::to_string(member.index) +
                                ",\"name\":" + Json(setter->name).dump() +
                                ",\"args\":[{{ 'true' if value == 'ON' else 'false' }}]}";
      } else {
        c["p"] = "binary_sensor";
        c["payload_on"] = "true";
        c["payload_off"] = "false";
      }
    } else if (value.is_number() || value.is_string()) {
      c["p"] = "sensor";
      c["value_template"] = "{{ value_json }}";
    } else {
      continue;  // objects and arrays are no Home Assistant state
    }
    components[name] = std::move(c);
  }
  if (components.empty()) return nullptr;
  return Json{{"dev",
               {{"ids", Json::array({box_id_ + "_" + member.module_id})},
                {"name", placed.sys + " " + place},
                {"mf", "roomd"},
                {"mdl", info.name}}},
              {"o", {{"name", "roomd"}, {"sw", RequestCore::version()}}},
              {"availability_topic", topics_.online},
              {"availability_template", "{{ 'online' if value_json.online else 'offline' }}"},
              {"cmps", components}};
}

}  // namespace roomd
