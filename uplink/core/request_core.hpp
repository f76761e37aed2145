// The one service under every front-end (PlaceOS WebSocket and REST today, the MQTT upstream
// and the other dialects next): it resolves targets, checks grants, runs execs and delivers
// their outcome on the caller's executor, and keeps the metrics and the exec audit, once.
// Front-ends parse their wire format, call this, and encode what comes back.
#pragma once

#include "base/asio.hpp"
#include "base/json.hpp"
#include "config/config.hpp"
#include "runtime/alert_book.hpp"
#include "runtime/history.hpp"
#include "runtime/log.hpp"
#include "uplink/core/api_warnings.hpp"
#include "uplink/core/caller.hpp"
#include "uplink/core/exec_audit.hpp"
#include "uplink/core/failure.hpp"
#include "uplink/core/metrics.hpp"
#include "uplink/core/notify_hub.hpp"
#include "uplink/core/views.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd {

class Module;
class Runtime;
struct System;

struct LogLevels {
  std::string module_id;
  LogLevel level;      // set for the module (info when never set)
  LogLevel effective;  // what it logs at now, a debug session included
};

// Everything the front-ends share lives here and is used on `strand`: every session of every
// front-end runs on it, so none of this needs a lock; whatever comes from another thread (a
// driver's strand, a logging thread) is posted onto it.
struct RequestCore : std::enable_shared_from_this<RequestCore> {
  using ExecDone = std::function<void(Result<Json>)>;

  // Serves `runtime` under its config's `api` section, logging as module "api".
  RequestCore(Runtime& runtime, Executor strand);
  virtual ~RequestCore() = default;
  RequestCore(const RequestCore&) = delete;
  RequestCore& operator=(const RequestCore&) = delete;

  // The module at `target` if the caller may do `what` (an exec, a bind…) with it at role
  // `needed`: code 2 (scope or role; the attempt is logged), 5 (system) or 6 (module).
  Result<Module*> resolve(const Caller& caller, const Target& target, Role needed,
                          std::string_view what);
  // A system the caller may see (2, 5).
  Result<SystemView> system(const Caller& caller, std::string_view id);
  std::vector<SystemView> visible_systems(const Caller& caller) const;
  // The caller's own key: its id, role and systems.
  static KeyView inspect_key(const Caller& caller);
  // A module by its id at role `needed` (2), if it belongs to a system the caller may see (6
  // otherwise: an invisible module is not admitted to exist).
  Result<Module*> module_by_id(const Caller& caller, std::string_view module_id, Role needed,
                               std::string_view what);
  // Code 2 unless the caller's role is at least `needed`; logs the denied attempt.
  std::optional<Failure> check_role(const Caller& caller, Role needed, std::string_view what);

  // Runs `method` of `module`; privileged methods need admin (2). `done` runs on the caller's
  // executor with the value or the failure, after the metrics and the audit recorded it.
  void exec(const Caller& caller, Module& module, const std::string& method, Json args,
            ExecDone done);

  // The recorded values of variable `name` of the module with this id (which the caller
  // resolved), per `query`; code 7 when the history database cannot be read.
  Result<std::vector<HistoryPoint>> history(std::string_view module_id, std::string_view name,
                                            const HistoryQuery& query);
  const HistoryConfig& history_bounds() const;
  // Every change recorded from now on (History::Listener's rules apply).
  Subscription subscribe_history(History::Listener listener);
  // The method a driver declared as the setter of status variable `name` ("" for none).
  static std::string setter_of(const Module& module, std::string_view name);

  // What a front-end may read of a module it resolved, and of the box.
  static const std::string& module_id(const Module& module);
  static const DriverInfo& driver_info(const Module& module);
  Json module_state(const Module& module) const;
  HealthView health() const;
  const BoxConfig& box() const;
  static const char* version();  // roomd's, e.g. "0.1.0"

  // The box's alerts (AlertBook::subscribe for live ones), and the active ones the caller
  // may see, oldest first: those of its systems and the box's own (no system).
  AlertBook& alerts();
  std::vector<Alert> visible_alerts(const Caller& caller) const;

  LogLevels log_levels(const std::string& module_id);
  // `level` is trace, debug, info, warn, error or fatal (1 otherwise); kept across restarts.
  Result<LogLevels> set_log_level(const Caller& caller, const std::string& module_id,
                                  std::string_view level);

  // Where every exec's audit goes besides the log (the outbox's recorder); set before serving.
  // Runs on the caller's executor.
  std::function<void(ExecAudit)> on_exec_audit;
  // The outbox endpoint's body, and lines for /metrics, when an outbox is configured.
  std::function<Json()> outbox_report;
  std::function<std::string()> upstream_metrics;

  Runtime& runtime;
  const ApiConfig config;  // a copy: sessions may outlive the runtime at shutdown
  Executor strand;
  Logger log;
  NotifyHub hub;
  Metrics metrics;
  ApiWarnings warnings;

 private:
  Failure denied(const Caller& caller, std::string_view what, std::string_view on,
                 const std::string& why, std::string message);
  SystemView view_of(const System& sys) const;
  bool connected(const std::string& module_id) const;
};

}  // namespace roomd
