#include "uplink/core/recorder.hpp"

#include "base/wall_clock.hpp"
#include "runtime/runtime.hpp"
#include "uplink/core/request_core.hpp"
#include "uplink/outbox/outbox.hpp"

#include <boost/asio/post.hpp>

namespace roomd {

Recorder::Recorder(RequestCore& core, Outbox& outbox) : core_(core), outbox_(outbox) {
  refresh_addresses();
}

void Recorder::refresh_addresses() {
  // A module in several systems goes by its first.
  std::map<std::string, Address, std::less<>> current;
  for (const auto& sys : core_.runtime.modules().systems())
    for (const auto& m : sys.modules)
      current.try_emplace(m.module->module_id(), Address{sys.id, m.name, m.index});
  for (auto& [id, address] : current) addresses_.insert_or_assign(id, std::move(address));
}

Recorder::~Recorder() {
  stop();
}

void Recorder::start() {
  auto& runtime = core_.runtime;
  subscriptions_.push_back(std::make_unique<Subscription>(runtime.state().subscribe_all(
      [this](std::string_view module_id, std::string_view name, const Json& value) {
        record_status(module_id, name, value);
      })));
  subscriptions_.push_back(std::make_unique<Subscription>(
      runtime.logs().tap(LogLevel::warn, [this](const LogRecord& record) {
        outbox_.append("log", record.time,
                       {{"module", record.module_id},
                        {"level", to_string(record.level)},
                        {"msg", record.message}});
      })));
  subscriptions_.push_back(std::make_unique<Subscription>(
      runtime.alerts().subscribe([this](const Alert& alert, bool raised) {
        outbox_.append("alert", raised ? alert.raised_at : unix_now(),
                       {{"id", alert.id},
                        {"title", alert.title},
                        {"severity", to_string(alert.severity)},
                        {"module", alert.module},
                        {"sys", alert.sys},
                        {"state", raised ? "raised" : "cleared"}});
      })));
  runtime.modules().on_module_event(
      [this](const std::string& module_id, std::string_view event, const std::string& detail) {
        outbox_.append("event", unix_now(),
                       {{"module", module_id}, {"event", event}, {"detail", detail}});
      });
  core_.on_exec_audit = [this](const ExecAudit& audit) { record_exec(audit); };
}

void Recorder::stop() {
  subscriptions_.clear();
  status_listener_.reset();
  core_.runtime.modules().on_module_event(nullptr);
  core_.on_exec_audit = nullptr;
}

void Recorder::record_status(std::string_view module_id, std::string_view name, const Json& value) {
  const double ts = unix_now();
  Address address;
  if (auto it = addresses_.find(module_id); it != addresses_.end()) address = it->second;
  outbox_.append("status", ts,
                 {{"sys", address.sys},
                  {"mod", address.mod},
                  {"index", address.index},
                  {"module", module_id},
                  {"name", name},
                  {"value", value}});
  if (!status_listener_) return;
  std::weak_ptr<StatusListener> listener = status_listener_;
  StatusChange change{
      address.sys,
      address.mod,
      address.index,
      std::string(module_id),
      std::string(name),
      value.is_null() ? nullptr : std::make_shared<const std::string>(to_text(value)),
      ts};
  asio::post(core_.strand, [listener, change = std::move(change)] {
    if (auto alive = listener.lock()) (*alive)(change);
  });
}

void Recorder::record_exec(const ExecAudit& audit) {
  Address address;
  if (auto it = addresses_.find(audit.module_id); it != addresses_.end()) address = it->second;
  Json fields = {{"key", audit.key},       {"via", audit.via},       {"sys", address.sys},
                 {"mod", address.mod},     {"index", address.index}, {"module", audit.module_id},
                 {"method", audit.method}, {"args", audit.args},     {"ok", audit.ok},
                 {"ms", audit.ms}};
  if (audit.ok)
    fields["result"] = audit.result;
  else
    fields["error"] = {{"code", static_cast<int>(audit.error.code)}, {"msg", audit.error.message}};
  outbox_.append("exec", audit.ts, std::move(fields));
}

}  // namespace roomd
