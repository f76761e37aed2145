#include "uplink/mqtt/upstream.hpp"
#include "base/wall_clock.hpp"

#include "base/json.hpp"
#include "uplink/core/request_core.hpp"
#include "uplink/mqtt/box_modules.hpp"
#include "uplink/mqtt/ha_discovery.hpp"
#include "uplink/mqtt/outbox_drain.hpp"
#include "uplink/outbox/outbox.hpp"
#include "uplink/placeos/control_session.hpp"

#include <chrono>

namespace roomd {

namespace {

MqttOptions::Will last_will(const UpstreamTopics& topics, std::uint64_t epoch) {
  return {.topic = topics.online,
          .payload = Json{{"online", false}, {"epoch", epoch}}.dump(),
          .qos = 1,
          .retain = true};
}

}  // namespace

// Answers of cmd requests, debug records and notifies of bindings made over MQTT: each one
// message on the resp topic.
class Upstream::CmdOutput final : public placeos::ControlOutput {
 public:
  CmdOutput(MqttClient& client, std::string topic) : client_(client), topic_(std::move(topic)) {}
  void send(std::string message) override { client_.publish(topic_, std::move(message), 1, false); }
  void notify(Binding& binding, const SharedText& value) override {
    client_.publish(topic_, binding.head + (value ? *value : std::string("null")) + binding.tail, 1,
                    false);
  }
  void forget(Binding&) override {}

 private:
  MqttClient& client_;
  std::string topic_;
};

Upstream::Upstream(std::shared_ptr<RequestCore> core, Outbox& outbox, const MqttConfig& config,
                   std::string box_id, MqttClient::LogSink log)
    : core_(std::move(core)),
      outbox_(outbox),
      config_(config),
      box_id_(std::move(box_id)),
      topics_(config_.topic_prefix, box_id_),
      log_(std::move(log)) {
  if (!log_) {
    log_ = [core = core_](LogLevel level, std::string line) { core->log.log(level, line); };
  }
  auto options = mqtt_options(config_, last_will(topics_, outbox_.epoch()));
  if (options.client_id.empty()) options.client_id = box_id_;
  client_ = std::make_unique<MqttClient>(core_->strand, std::move(options), log_);
  drain_ = std::make_shared<OutboxDrain>(
      core_->strand, outbox_,
      [this](const std::string& text, std::function<void(bool)> done) {
        client_->publish(topics_.events, text, 1, false, std::move(done));
      },
      config_.drain_rate, static_cast<std::size_t>(std::max(1, config_.inflight)), log_);
  cmd_output_ = std::make_unique<CmdOutput>(*client_, topics_.resp);
  Caller caller{.grant = {.key_id = config_.key_id,
                          .role = parse_role(config_.role),
                          .all_systems = true,
                          .systems = {"*"}},
                .peer = "MQTT " + topics_.cmd,
                .via = "mqtt",
                .executor = core_->strand};
  cmd_ = std::make_unique<placeos::ControlSession>(core_, std::move(caller), *cmd_output_);
  if (config_.discovery == "homeassistant")
    discovery_ = std::make_unique<HaDiscovery>(*client_, *core_, topics_, box_id_);
}

Upstream::~Upstream() {
  stop();
}

void Upstream::start() {
  if (started_ || stopped_) return;
  started_ = true;
  client_->on_connected([this] { on_connected(); });
  client_->on_disconnected([this](const std::string&) { on_disconnected(); });
  client_->on_message([this](MqttMessage message) { on_message(std::move(message)); });
  client_->subscribe(topics_.cmd, 1);
  if (discovery_) discovery_->start();
  outbox_.on_committed([weak = std::weak_ptr<OutboxDrain>(drain_)](std::uint64_t, std::uint64_t) {
    if (auto drain = weak.lock()) drain->wake();
  });
  client_->start();
}

void Upstream::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) {
    outbox_.on_committed({});
    // Queued before the DISCONNECT, so the broker has it before the session ends cleanly.
    if (client_->connected())
      client_->publish(topics_.online, Json{{"online", false}, {"epoch", outbox_.epoch()}}.dump(),
                       1, true);
  }
  client_->stop();
  drain_->stop();
  cmd_->close();
}

bool Upstream::connected() const {
  return client_->connected();
}
std::uint64_t Upstream::drained() const {
  return drain_->drained();
}
std::size_t Upstream::in_flight() const {
  return drain_->in_flight();
}

void Upstream::on_connected() {
  // The order a consumer sees: online, then the state as it is now, then the backlog.
  publish_online();
  publish_states();
  if (discovery_) discovery_->connected();
  drain_->resume();
}

void Upstream::on_disconnected() {
  drain_->pause();
}

void Upstream::on_message(MqttMessage message) {
  if (message.topic == topics_.cmd) {
    cmd_->handle(message.payload);
  } else if (discovery_) {
    discovery_->on_message(message);
  }
}

void Upstream::publish_online() {
  const auto stats = outbox_.stats();
  Json evicted = Json::object();
  for (const auto& [kind, count] : stats.evicted) evicted[kind] = count;
  Json online{{"online", true},
              {"epoch", outbox_.epoch()},
              {"version", RequestCore::version()},
              {"since", unix_now()},
              {"evicted", evicted}};
  client_->publish(topics_.online, online.dump(), 1, true);
}

void Upstream::publish_states() {
  for (const auto& topic : deleted_offline_) client_->publish(topic, "", 1, true);
  deleted_offline_.clear();
  for (const auto& [sys, member] : box_modules(*core_)) {
    const auto state = core_->module_state(*member.module);
    for (const auto& [name, value] : state.items())
      publish_state(sys, member.name, member.index, name, value.dump());
  }
}

void Upstream::publish_state(const std::string& sys, const std::string& mod, int index,
                             const std::string& name, std::string value) {
  client_->publish(topics_.state(sys, mod, index, name), std::move(value), 1, true);
}

void Upstream::modules_removed(const std::vector<std::string>& module_ids) {
  if (stopped_ || !discovery_ || !client_->connected()) return;  // the next connect clears them
  for (const auto& id : module_ids) discovery_->forget(id);
}

void Upstream::status_changed(const StatusChange& change) {
  // Modules in no system have no topic.
  if (change.sys.empty() || stopped_) return;
  if (!client_->connected()) {
    // The next connect publishes every variable there is then; a deleted one it clears.
    const auto topic = topics_.state(change.sys, change.mod, change.index, change.name);
    if (change.value)
      deleted_offline_.erase(topic);
    else
      deleted_offline_.insert(topic);
    return;
  }
  publish_state(change.sys, change.mod, change.index, change.name,
                change.value ? *change.value : std::string());
  if (discovery_) discovery_->status_changed(change);
}

}  // namespace roomd
