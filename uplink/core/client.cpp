#include "uplink/core/client.hpp"

#include "base/text.hpp"
#include "runtime/module.hpp"
#include "runtime/runtime.hpp"

#include <boost/asio/post.hpp>

namespace roomd {

Client::Client(std::shared_ptr<RequestCore> core, Caller caller, NotifySink& sink)
    : core_(std::move(core)), caller_(std::move(caller)), sink_(&sink) {}

Client::~Client() {
  close();
}

Failure Client::over_limit(ErrorCode code, std::string message) {
  ++core_->metrics.limit_refusals;
  if (auto more = core_->warnings.limits.pass())
    core_->log.warn("client ", caller_.peer, " (", caller_.via, "): ", message, *more);
  return {code, std::move(message)};
}

Result<Client::Bound> Client::bind(const Target& target, const std::string& name, std::string head,
                                   std::string tail) {
  auto resolved = core_->resolve(caller_, target, Role::viewer, "bind");
  if (auto* failure = std::get_if<Failure>(&resolved)) return std::move(*failure);
  BindKey key{target.sys, target.mod, target.index, name};
  if (auto it = bindings_.find(key); it != bindings_.end()) return Bound{it->second.get(), false};
  if (bindings_.size() >= core_->config.max_bindings)
    return over_limit(ErrorCode::bad_request,
                      "binding limit reached: this connection has " +
                          std::to_string(bindings_.size()) +
                          " bindings (api.max_bindings); unbind some first");
  auto binding = std::make_unique<Binding>();
  binding->sink = sink_;
  binding->head = std::move(head);
  binding->tail = std::move(tail);
  core_->hub.add(*binding, TopicKey{std::get<Module*>(resolved)->module_id(), name});
  return Bound{bindings_.emplace(std::move(key), std::move(binding)).first->second.get(), true};
}

void Client::unbind(const Target& target, const std::string& name) {
  auto it = bindings_.find(BindKey{target.sys, target.mod, target.index, name});
  if (it == bindings_.end()) return;
  core_->hub.remove(*it->second);
  if (sink_) sink_->forget(*it->second);
  bindings_.erase(it);
}

void Client::exec(const Target& target, const std::string& method, Json args,
                  RequestCore::ExecDone done) {
  auto resolved = core_->resolve(caller_, target, Role::op, "exec");
  if (auto* failure = std::get_if<Failure>(&resolved)) return done(std::move(*failure));
  if (execs_in_flight_ >= core_->config.max_execs_in_flight)
    return done(over_limit(ErrorCode::request_failed,
                           "too many execs in flight on this connection (" +
                               std::to_string(execs_in_flight_) +
                               ", api.max_execs_in_flight); wait for their answers. " +
                               excerpt(method) + " was not run"));
  ++execs_in_flight_;
  core_->exec(caller_, *std::get<Module*>(resolved), method, std::move(args),
              [weak = weak_from_this(), done = std::move(done)](Result<Json> outcome) {
                auto self = weak.lock();
                if (!self) return;
                --self->execs_in_flight_;
                if (self->sink_) done(std::move(outcome));
              });
}

Result<Module*> Client::debug(const Target& target, LogLevel level, Format format,
                              Deliver deliver) {
  auto resolved = core_->resolve(caller_, target, Role::admin, "debug");
  if (auto* failure = std::get_if<Failure>(&resolved)) return std::move(*failure);
  Module* module = std::get<Module*>(resolved);
  const auto& mod_id = module->module_id();
  if (!debugs_.erase(mod_id) && debugs_.size() >= core_->config.max_bindings)
    return over_limit(ErrorCode::bad_request,
                      "debug stream limit reached: this connection debugs " +
                          std::to_string(debugs_.size()) +
                          " modules (api.max_bindings); ignore some first");
  std::weak_ptr<Client> weak = weak_from_this();
  std::weak_ptr<RequestCore> weak_core = core_;
  auto listener = [weak, weak_core, executor = caller_.executor, mod_id, format = std::move(format),
                   deliver = std::move(deliver)](const LogRecord& record) {
    // May run on any thread that logs: format here, deliver on the caller's executor.
    asio::post(executor, [weak, weak_core, mod_id, deliver, message = format(record)]() mutable {
      auto self = weak.lock();
      if (!self || !self->sink_ || !self->debugs_.contains(mod_id)) {
        if (auto core = weak_core.lock()) ++core->metrics.log_records_dropped;
        return;
      }
      deliver(std::move(message));
    });
  };
  debugs_.emplace(mod_id, core_->runtime.logs().subscribe(mod_id, level, std::move(listener)));
  core_->log.info("debug stream of ", mod_id, " at ", to_string(level), " for key ",
                  caller_.grant.key_id, " (", caller_.via, " ", caller_.peer, ")");
  return module;
}

void Client::ignore(const Target& target) {
  if (debugs_.erase(target.mod)) return;
  if (Module* module = core_->runtime.modules().find(target.sys, target.mod, target.index))
    debugs_.erase(module->module_id());
}

void Client::close() {
  for (auto& [key, binding] : bindings_) {
    core_->hub.remove(*binding);
    if (sink_) sink_->forget(*binding);  // no queued message may point at a dead binding
  }
  bindings_.clear();
  debugs_.clear();
  sink_ = nullptr;
}

}  // namespace roomd
