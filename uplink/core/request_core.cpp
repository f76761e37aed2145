#include "uplink/core/request_core.hpp"

#include "base/text.hpp"
#include "base/wall_clock.hpp"
#include "runtime/module.hpp"
#include "runtime/runtime.hpp"
#include "runtime/sdk/version.hpp"

#include <boost/asio/dispatch.hpp>

namespace roomd {

namespace {

// "12.3 ms", in integers: this runs once per exec, where printf's float path shows up.
void append_duration(std::string& out, Clock::duration elapsed) {
  const auto tenths =
      (std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() + 50) / 100;
  out += std::to_string(tenths / 10);
  out += '.';
  out += static_cast<char>('0' + tenths % 10);
  out += " ms";
}

// "exec by key K (via peer): module method args", the head of the exec's audit line.
std::string audit_head(const Caller& caller, const std::string& module_id,
                       const std::string& method, const Json& args) {
  std::string head;
  head.reserve(96 + module_id.size() + method.size());
  head += "exec by key ";
  head += caller.grant.key_id;
  head += " (";
  head += caller.via;
  head += ' ';
  head += caller.peer;
  head += "): ";
  head += module_id;
  head += ' ';
  head += excerpt(method);
  head += ' ';
  head += json_excerpt(args, kLogExcerptBytes);
  return head;
}

std::string role_phrase(const Grant& grant) {
  return "key " + grant.key_id + " is " + to_string(grant.role);
}

}  // namespace

RequestCore::RequestCore(Runtime& runtime, Executor strand)
    : runtime(runtime),
      config(runtime.config().api),
      strand(strand),
      log(runtime.logs().logger("api", "api")),
      hub(runtime.state(), strand) {}

// The attempt is logged (protocol.md §4), but a client cannot fill the log with attempts.
Failure RequestCore::denied(const Caller& caller, std::string_view what, std::string_view on,
                            const std::string& why, std::string message) {
  if (auto more = warnings.denied.pass())
    log.warn("access denied: key ", caller.grant.key_id, " (", to_string(caller.grant.role), ", ",
             caller.via, " ", caller.peer, ") ", excerpt(what), " on ", excerpt(on), ": ", why,
             *more);
  return {ErrorCode::access_denied, std::move(message)};
}

std::optional<Failure> RequestCore::check_role(const Caller& caller, Role needed,
                                               std::string_view what) {
  if (caller.grant.at_least(needed)) return std::nullopt;
  return denied(
      caller, what, "the box", std::string("needs role ") + to_string(needed),
      std::string(what) + " needs role " + to_string(needed) + "; " + role_phrase(caller.grant));
}

Result<SystemView> RequestCore::system(const Caller& caller, std::string_view id) {
  if (!caller.grant.may_see(id))
    return denied(caller, "access", id, "system not in the key's scope",
                  "key " + caller.grant.key_id + " may not access system " + excerpt(id));
  if (const System* found = runtime.modules().system(id)) return view_of(*found);
  return Failure{ErrorCode::system_not_found, "system " + excerpt(id) + " not found"};
}

Result<Module*> RequestCore::resolve(const Caller& caller, const Target& target, Role needed,
                                     std::string_view what) {
  const auto on = target.sys + " " + target.mod + "_" + std::to_string(target.index);
  if (!caller.grant.may_see(target.sys))
    return denied(caller, what, on, "system not in the key's scope",
                  "key " + caller.grant.key_id + " may not access system " + excerpt(target.sys));
  if (!caller.grant.at_least(needed))
    return denied(
        caller, what, on, std::string("needs role ") + to_string(needed),
        std::string(what) + " needs role " + to_string(needed) + "; " + role_phrase(caller.grant));
  auto& modules = runtime.modules();
  if (!modules.system(target.sys))
    return Failure{ErrorCode::system_not_found, "system " + excerpt(target.sys) + " not found"};
  if (Module* module = modules.find(target.sys, target.mod, target.index)) return module;
  return Failure{ErrorCode::module_not_found, "module " + excerpt(target.mod) + "_" +
                                                  std::to_string(target.index) + " not found in " +
                                                  excerpt(target.sys)};
}

std::vector<SystemView> RequestCore::visible_systems(const Caller& caller) const {
  std::vector<SystemView> out;
  for (const auto& sys : runtime.modules().systems())
    if (caller.grant.may_see(sys.id)) out.push_back(view_of(sys));
  return out;
}

AlertBook& RequestCore::alerts() {
  return runtime.alerts();
}

std::vector<Alert> RequestCore::visible_alerts(const Caller& caller) const {
  auto alerts = runtime.alerts().active();
  std::erase_if(alerts, [&](const Alert& alert) {
    return !alert.sys.empty() && !caller.grant.may_see(alert.sys);
  });
  return alerts;
}

KeyView RequestCore::inspect_key(const Caller& caller) {
  const auto& grant = caller.grant;
  KeyView view{grant.key_id, to_string(grant.role), grant.systems};
  if (grant.all_systems) view.systems = {"*"};
  return view;
}

SystemView RequestCore::view_of(const System& sys) const {
  SystemView view{sys.id, sys.name, {}};
  view.modules.reserve(sys.modules.size());
  for (const auto& m : sys.modules)
    view.modules.push_back({m.name, m.index, m.module->module_id(), m.module->driver().info.name,
                            connected(m.module->module_id()), m.module});
  return view;
}

bool RequestCore::connected(const std::string& module_id) const {
  auto value = runtime.state().get(module_id, "connected");
  return value && value->is_boolean() && value->get<bool>();
}

const std::string& RequestCore::module_id(const Module& module) {
  return module.module_id();
}

const DriverInfo& RequestCore::driver_info(const Module& module) {
  return module.driver().info;
}

Result<std::vector<HistoryPoint>> RequestCore::history(std::string_view module_id,
                                                       std::string_view name,
                                                       const HistoryQuery& query) {
  try {
    return runtime.history().read(module_id, name, query);
  } catch (const std::exception& e) {
    log.error("reading the history of ", module_id, ".", name, " failed: ", e.what());
    return Failure{ErrorCode::unexpected,
                   "the history could not be read: " + std::string(e.what())};
  }
}

const HistoryConfig& RequestCore::history_bounds() const {
  return runtime.history().bounds();
}

Subscription RequestCore::subscribe_history(History::Listener listener) {
  return runtime.history().subscribe(std::move(listener));
}

std::string RequestCore::setter_of(const Module& module, std::string_view name) {
  if (name.empty()) return {};
  for (const auto& method : module.driver().info.methods)
    if (method.sets == name) return method.name;
  return {};
}

Json RequestCore::module_state(const Module& module) const {
  return runtime.state().module_state(module.module_id());
}

HealthView RequestCore::health() const {
  HealthView health;
  for (const auto& m : runtime.modules().modules()) {
    const bool up = connected(m->module_id());
    const bool broken = m->run_state() == ModuleRunState::failed;
    health.connected += up ? 1 : 0;
    health.failed += broken ? 1 : 0;
    health.modules.push_back({m->module_id(), up, to_string(m->run_state())});
  }
  return health;
}

const BoxConfig& RequestCore::box() const {
  return runtime.config().box;
}

const char* RequestCore::version() {
  return kVersion;
}

Result<Module*> RequestCore::module_by_id(const Caller& caller, std::string_view module_id,
                                          Role needed, std::string_view what) {
  if (auto failure = check_role(caller, needed, what)) return *failure;
  Module* module = runtime.modules().module(module_id);
  bool visible = false;
  for (const auto& sys : runtime.modules().systems())
    if (caller.grant.may_see(sys.id))
      for (const auto& m : sys.modules) visible = visible || m.module == module;
  if (!module || !visible)
    return Failure{ErrorCode::module_not_found, "module " + excerpt(module_id) + " not found"};
  return module;
}

void RequestCore::exec(const Caller& caller, Module& module, const std::string& method, Json args,
                       ExecDone done) {
  const auto& grant = caller.grant;
  if (!may_call(grant, module.driver().info.methods, method)) {
    auto failure =
        denied(caller, "exec", module.module_id(), "privileged method " + excerpt(method),
               excerpt(method) + " is a privileged method (admin only); " + role_phrase(grant));
    if (on_exec_audit)
      on_exec_audit(ExecAudit{grant.key_id,
                              caller.via,
                              module.module_id(),
                              method,
                              std::move(args),
                              false,
                              {},
                              failure,
                              0,
                              unix_now()});
    done(std::move(failure));
    return;
  }
  const auto started = Clock::now();
  // Only with an audit sink: the arguments are moved into the call.
  std::optional<ExecAudit> record;
  if (on_exec_audit)
    record = ExecAudit{grant.key_id, caller.via, module.module_id(), method, args, false, {},
                       {},           0,          unix_now()};
  // Who, what and with which arguments, for the audit line (built only when it is logged).
  std::string audit;
  if (log.enabled(LogLevel::info)) audit = audit_head(caller, module.module_id(), method, args);
  // The outcome arrives on the module's strand; everything after runs on the caller's.
  module.exec(method, std::move(args),
              [self = shared_from_this(), executor = caller.executor, mod_id = module.module_id(),
               audit = std::move(audit), started, record = std::move(record),
               done = std::move(done)](std::exception_ptr error, Json value) mutable {
                const auto elapsed = Clock::now() - started;
                // Inline when this thread may already run the caller's executor (one io
                // thread, or its strand idle), saving an event-loop turn per exec.
                asio::dispatch(
                    executor, [self = std::move(self), mod_id = std::move(mod_id),
                               audit = std::move(audit), elapsed, error, value = std::move(value),
                               record = std::move(record), done = std::move(done)]() mutable {
                      self->metrics.exec_done(mod_id, elapsed, !error);
                      Result<Json> outcome = std::move(value);
                      if (error) outcome = failure_of(error);
                      if (!audit.empty()) {
                        audit += error ? ": failed in " : ": ok in ";
                        append_duration(audit, elapsed);
                        if (error) {
                          audit += ": ";
                          audit += excerpt(std::get<Failure>(outcome).message, kLogExcerptBytes);
                        }
                        self->log.write(LogLevel::info, audit);
                      }
                      if (record && self->on_exec_audit) {
                        record->ok = !error;
                        if (error)
                          record->error = std::get<Failure>(outcome);
                        else
                          record->result = std::get<Json>(outcome);
                        record->ms = std::chrono::duration<double, std::milli>(elapsed).count();
                        self->on_exec_audit(std::move(*record));
                      }
                      done(std::move(outcome));
                    });
              });
}

LogLevels RequestCore::log_levels(const std::string& module_id) {
  auto& logs = runtime.logs();
  return {module_id, logs.persistent_level(module_id).value_or(LogLevel::info),
          logs.effective_level(module_id).value_or(LogLevel::info)};
}

Result<LogLevels> RequestCore::set_log_level(const Caller& caller, const std::string& module_id,
                                             std::string_view level) {
  auto parsed = parse_log_level(level);
  if (!parsed)
    return Failure{
        ErrorCode::bad_request,
        "level must be one of trace, debug, info, warn, error, fatal; got " + excerpt(level)};
  runtime.logs().set_persistent_level(module_id, *parsed);
  log.info("log level of ", module_id, " set to ", to_string(*parsed), " by key ",
           caller.grant.key_id, " (", caller.via, ")");
  return log_levels(module_id);
}

}  // namespace roomd
