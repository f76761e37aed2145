#include "uplink/openframe/openframe_session.hpp"

#include "base/wall_clock.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/credentials.hpp"
#include "uplink/http/url.hpp"
#include "uplink/openframe/openframe_wire.hpp"

#include <algorithm>
#include <set>

namespace roomd::openframe {

namespace {

bool wants(const std::vector<std::string>& filter, std::string_view value) {
  return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
}

bool any_wanted(const std::vector<std::string>& filter, const std::vector<std::string>& values) {
  if (filter.empty()) return true;
  return std::any_of(values.begin(), values.end(),
                     [&](const std::string& value) { return wants(filter, value); });
}

Json or_null(const std::string& text) {
  return text.empty() ? Json(nullptr) : Json(text);
}

}  // namespace

OpenFrameSession::OpenFrameSession(const WsOpening& opening, Duration status_every,
                                   std::shared_ptr<SharedState> shared)
    : api_(opening.api),
      out_(opening.out),
      shared_(std::move(shared)),
      status_every_(status_every),
      status_timer_(opening.executor) {
  const auto query = url::split_target(opening.request.target()).query;
  envelope_ = url::query_param(query, "envelope") == std::optional<std::string>("event");
  if (!opening.grant) {
    refuse_key(opening);
    return;
  }
  client_ = std::make_shared<Client>(
      api_, Caller{*opening.grant, opening.peer, "OpenFrame", opening.executor}, *this);
}

OpenFrameSession::~OpenFrameSession() {
  close();
}

void OpenFrameSession::refuse_key(const WsOpening& opening) {
  const auto key = find_api_key(opening.request);
  ++api_->metrics.connections_rejected;
  if (auto more = api_->warnings.unauthorized.pass())
    api_->log.warn("OpenFrame WebSocket from ", opening.peer, " refused with AUTH_ERROR: ",
                   key ? "unknown API key (fingerprint " + key_fingerprint(*key) + ")"
                       : std::string("no API key"),
                   *more);
  send_error("AUTH_ERROR", key ? "Invalid token" : "Missing token");
  out_.close_after(kWsClosePolicy);
}

void OpenFrameSession::close() {
  if (closed_) return;
  closed_ = true;
  alive_.reset();
  alerts_.reset();
  status_timer_.cancel();
  if (client_) client_->close();
  device_of_.clear();
  devices_.clear();
}

void OpenFrameSession::send_error(const char* code, const std::string& message) {
  out_.send(error_message(code, message, unix_now()));
}

void OpenFrameSession::send_event(const char* event, TopicId topic, const Json& data) {
  out_.send(event_message(event, to_string(topic), data, unix_now(), envelope_));
}

void OpenFrameSession::on_binary() {
  if (!client_ || closed_) return;
  send_error("CONNECTION_ERROR", "binary frames are not supported; send JSON text");
}

void OpenFrameSession::on_text(std::string_view text) {
  if (!client_ || closed_) return;  // refused: only the close is still to come
  ++api_->metrics.requests;
  auto parsed = parse_request(text);
  if (auto* error = std::get_if<RequestError>(&parsed))
    return send_error(error->code, error->message);
  const auto& request = std::get<Request>(parsed);
  if (request.kind == Request::Kind::subscribe)
    subscribe(request);
  else
    unsubscribe(request);
}

void OpenFrameSession::subscribe(const Request& request) {
  for (auto topic : request.topics) topics_[topic] = request.filters;
  confirm();
  // The snapshot follows the confirmation, topic by topic as the client named them.
  for (auto topic : request.topics) {
    if (closed_) return;  // the answers overflowed the connection's queue
    switch (topic) {
      case TopicId::devices:
        watch_devices();
        for (const auto& device : devices_)
          if (passes(device)) send_device(device);
        break;
      case TopicId::alerts:
        watch_alerts();
        break;
      case TopicId::system_status:
        send_status();
        schedule_status();
        break;
    }
  }
}

void OpenFrameSession::unsubscribe(const Request& request) {
  for (auto topic : request.topics) {
    if (!topics_.erase(topic)) continue;
    switch (topic) {
      case TopicId::devices:
        for (const auto& device : devices_) client_->unbind(device.target, "connected");
        device_of_.clear();
        devices_.clear();
        break;
      case TopicId::alerts:
        alerts_.reset();
        break;
      case TopicId::system_status:
        status_timer_.cancel();
        break;
    }
  }
  confirm();
}

void OpenFrameSession::confirm() {
  Json names = Json::array();
  for (const auto& [topic, filters] : topics_) names.push_back(to_string(topic));
  out_.send(confirmation(names, unix_now()));
}

std::vector<OpenFrameSession::Device> OpenFrameSession::visible_devices() const {
  std::vector<Device> devices;
  std::map<std::string, std::size_t, std::less<>> index;
  for (const auto& sys : api_->visible_systems(client_->caller())) {
    for (const auto& member : sys.modules) {
      auto [it, fresh] = index.emplace(member.module_id, devices.size());
      if (!fresh) {
        devices[it->second].systems.push_back(sys.id);
        continue;
      }
      devices.push_back({member.module_id,
                         member.name + "_" + std::to_string(member.index),
                         sys.id,
                         {sys.id},
                         {sys.id, member.name, member.index},
                         member.connected});
    }
  }
  return devices;
}

void OpenFrameSession::watch_devices() {
  if (!devices_.empty()) return;  // subscribed again: the same modules, new filters
  devices_ = visible_devices();
  for (std::size_t i = 0; i < devices_.size(); ++i) {
    auto& device = devices_[i];
    auto bound = client_->bind(device.target, "connected", "", "");
    if (auto* failure = std::get_if<Failure>(&bound)) {
      // Past api.max_bindings: the snapshot still has the module, its changes do not come.
      api_->log.debug("OpenFrame: no device_update for ", device.id, ": ", failure->message);
      continue;
    }
    device_of_[std::get<Client::Bound>(bound).binding] = i;
  }
}

bool OpenFrameSession::passes(const Device& device) const {
  const auto& filters = topics_.at(TopicId::devices);
  return any_wanted(filters.system, device.systems) &&
         wants(filters.status, device.online ? "online" : "offline") &&
         wants(filters.device_id, device.id);
}

void OpenFrameSession::send_device(const Device& device) {
  if (device.online) shared_->last_seen[device.id] = unix_now();  // seen right now
  auto seen = shared_->last_seen.find(device.id);
  Json data{{"id", device.id},
            {"name", device.name},
            {"system", device.system},
            {"status", device.online ? "online" : "offline"},
            {"last_seen",
             seen == shared_->last_seen.end() ? Json(nullptr) : Json(iso8601(seen->second))}};
  send_event("device_update", TopicId::devices, data);
}

void OpenFrameSession::notify(Binding& binding, const SharedText& value) {
  if (closed_) return;
  auto found = device_of_.find(&binding);
  if (found == device_of_.end()) return;
  auto& device = devices_[found->second];
  const bool online = value && *value == "true";
  // Going offline is the last moment the module was seen; coming online, the first.
  if (online || device.online) shared_->last_seen[device.id] = unix_now();
  if (online == device.online) return;
  device.online = online;
  if (topics_.count(TopicId::devices) && passes(device)) send_device(device);
}

void OpenFrameSession::forget(Binding& binding) {
  device_of_.erase(&binding);
}

void OpenFrameSession::watch_alerts() {
  if (alerts_) return;
  // Ended by close(), on the strand: the listener never outlives this session.
  alerts_ = subscribe_alerts(*api_, [this](const AlertView& alert, bool raised) {
    if (raised) on_alert(alert);
  });
}

void OpenFrameSession::on_alert(const AlertView& alert) {
  auto subscribed = topics_.find(TopicId::alerts);
  if (closed_ || subscribed == topics_.end()) return;
  if (!wants(subscribed->second.severity, alert.severity)) return;
  const auto& grant = client_->caller().grant;
  // A box-wide alert is for keys that see every system; a module's, for keys that see one of
  // the systems listing it.
  bool visible = grant.all_systems;
  if (!visible && !alert.module.empty()) {
    for (const auto& device : visible_devices())
      if (device.id == alert.module) visible = true;
  }
  if (!visible) return;
  send_event("alert_created", TopicId::alerts,
             Json{{"id", alert.id},
                  {"title", alert.title},
                  {"severity", alert.severity},
                  {"device_id", or_null(alert.module)},
                  {"system", or_null(alert.sys)}});
}

void OpenFrameSession::send_status() {
  const auto devices = visible_devices();
  std::set<std::string, std::less<>> ids;
  for (const auto& device : devices) ids.insert(device.id);
  int online = 0;
  bool degraded = false;
  for (const auto& module : api_->health().modules) {
    if (!ids.count(module.module_id)) continue;
    online += module.connected ? 1 : 0;
    degraded = degraded || !module.connected || module.state == "failed";
  }
  const auto host = shared_->host.read(api_->box().state_dir);
  send_event("system_status", TopicId::system_status,
             Json{{"status", degraded ? "degraded" : "healthy"},
                  {"metrics",
                   {{"cpu_usage", host.cpu_usage},
                    {"memory_usage", host.memory_usage},
                    {"disk_usage", host.disk_usage},
                    {"modules_online", online},
                    {"modules_total", ids.size()},
                    {"uptime_s", host.uptime_s}}}});
}

void OpenFrameSession::schedule_status() {
  status_timer_.expires_after(status_every_);
  status_timer_.async_wait([alive = std::weak_ptr<int>(alive_), self = this](error_code ec) {
    if (ec || !alive.lock()) return;
    self->send_status();
    self->schedule_status();
  });
}

}  // namespace roomd::openframe
