#include "uplink/placeos/control_session.hpp"

#include "base/text.hpp"
#include "runtime/module.hpp"
#include "runtime/runtime.hpp"
#include "uplink/api_context.hpp"

#include <boost/asio/post.hpp>

namespace roomd::placeos {

namespace {

const char* cmd_name(Cmd cmd) {
  switch (cmd) {
    case Cmd::bind:
      return "bind";
    case Cmd::unbind:
      return "unbind";
    case Cmd::exec:
      return "exec";
    case Cmd::debug:
      return "debug";
    case Cmd::ignore:
      break;
  }
  return "ignore";
}

std::string meta_of(const Request& r, bool with_name) {
  std::string out = "{\"sys\":" + to_text(r.sys) + ",\"mod\":" + to_text(r.mod) +
                    ",\"index\":" + std::to_string(r.index);
  if (with_name) out += ",\"name\":" + to_text(r.name);
  out += '}';
  return out;
}

}  // namespace

ControlSession::ControlSession(std::shared_ptr<ApiContext> api, Grant grant, std::string peer,
                               ControlOutput& out)
    : keep_(std::move(api)),
      api_(*keep_),
      grant_(std::move(grant)),
      peer_(std::move(peer)),
      out_(&out) {}

ControlSession::~ControlSession() {
  close();
}

std::string ControlSession::error_message(std::string_view id, ErrorCode code,
                                          std::string_view message) {
  const auto n = std::to_string(static_cast<int>(code));
  return "{\"id\":" + std::string(id) + ",\"type\":\"error\",\"code\":" + n +
         ",\"error_code\":" + n + ",\"msg\":" + to_text(std::string(message)) + "}";
}

void ControlSession::reply_error(std::string_view id, ErrorCode code, std::string_view message) {
  if (out_) out_->send(error_message(id, code, message));
}

void ControlSession::reply_limit(const Request& r, ErrorCode code, const std::string& message) {
  ++api_.metrics.limit_refusals;
  if (auto more = api_.warnings.limits.pass())
    api_.log.warn("client ", peer_, ": ", message, *more);
  reply_error(r.id, code, message);
}

// The attempt is logged (protocol.md §4), but a client cannot fill the log with attempts.
void ControlSession::log_denied(const Request& r, const std::string& why) {
  if (auto more = api_.warnings.denied.pass())
    api_.log.warn("access denied: key ", grant_.key_id, " (", to_string(grant_.role), ", ", peer_,
                  ") ", cmd_name(r.cmd), " on ", excerpt(r.sys), " ", excerpt(r.mod), "_", r.index,
                  ": ", why, *more);
}

void ControlSession::reply_success(const Request& r, const Json* value, const std::string* mod_id) {
  if (!out_) return;
  std::string out = "{\"id\":" + r.id + ",\"type\":\"success\"";
  if (mod_id) out += ",\"mod_id\":" + to_text(*mod_id);
  if (r.cmd != Cmd::ignore) out += ",\"meta\":" + meta_of(r, r.cmd != Cmd::debug);
  if (value) out += ",\"value\":" + to_text(*value);
  out += '}';
  out_->send(std::move(out));
}

void ControlSession::handle(std::string_view text) {
  ++api_.metrics.requests;
  auto parsed = parse_request(text);
  if (auto* error = std::get_if<RequestError>(&parsed)) {
    if (error->code == ErrorCode::unknown_command) {
      if (auto more = api_.warnings.suspicious.pass())
        api_.log.warn("suspicious client ", peer_, ": ", error->message, *more);
    }
    reply_error(error->id, error->code, error->message);
    return;
  }
  const auto& request = std::get<Request>(parsed);
  switch (request.cmd) {
    case Cmd::bind:
      return on_bind(request);
    case Cmd::unbind:
      return on_unbind(request);
    case Cmd::exec:
      return on_exec(request);
    case Cmd::debug:
      return on_debug(request);
    case Cmd::ignore:
      return on_ignore(request);
  }
}

std::optional<ControlSession::Target> ControlSession::resolve(const Request& r, Role needed) {
  if (!grant_.may_see(r.sys)) {
    log_denied(r, "system not in the key's scope");
    reply_error(r.id, ErrorCode::access_denied,
                "key " + grant_.key_id + " may not access system " + excerpt(r.sys));
    return std::nullopt;
  }
  if (!grant_.at_least(needed)) {
    log_denied(r, std::string("needs role ") + to_string(needed));
    reply_error(r.id, ErrorCode::access_denied,
                std::string(cmd_name(r.cmd)) + " needs role " + to_string(needed) + "; key " +
                    grant_.key_id + " is " + to_string(grant_.role));
    return std::nullopt;
  }
  auto& modules = api_.runtime.modules();
  if (!modules.system(r.sys)) {
    reply_error(r.id, ErrorCode::system_not_found, "system " + excerpt(r.sys) + " not found");
    return std::nullopt;
  }
  Module* module = modules.find(r.sys, r.mod, r.index);
  if (!module) {
    reply_error(r.id, ErrorCode::module_not_found,
                "module " + excerpt(r.mod) + "_" + std::to_string(r.index) + " not found in " +
                    excerpt(r.sys));
    return std::nullopt;
  }
  return Target{module, module->module_id()};
}

void ControlSession::on_bind(const Request& r) {
  auto target = resolve(r, Role::viewer);
  if (!target) return;
  BindKey key{r.sys, r.mod, r.index, r.name};
  if (bindings_.contains(key)) {
    reply_success(r, nullptr, nullptr);  // one subscription per variable and connection
    return;
  }
  if (bindings_.size() >= api_.config.max_bindings)
    return reply_limit(r, ErrorCode::bad_request,
                       "binding limit reached: this connection has " +
                           std::to_string(bindings_.size()) +
                           " bindings (api.max_bindings); unbind some first");
  auto binding = std::make_unique<Binding>();
  binding->sink = out_;
  binding->head = "{\"id\":" + r.id;
  api_.hub.add(*binding, TopicKey{r.sys, r.mod, r.index, r.name}, target->mod_id);
  auto& stored = *bindings_.emplace(std::move(key), std::move(binding)).first->second;
  reply_success(r, nullptr, nullptr);
  if (!out_) return;  // the answer closed the connection (queue over its bound)
  if (auto tail = api_.hub.current(stored)) out_->notify(stored, tail);
}

void ControlSession::on_unbind(const Request& r) {
  auto it = bindings_.find(BindKey{r.sys, r.mod, r.index, r.name});
  if (it != bindings_.end()) {
    api_.hub.remove(*it->second);
    if (out_) out_->forget(*it->second);
    bindings_.erase(it);
  }
  reply_success(r, nullptr, nullptr);
}

void ControlSession::on_exec(const Request& r) {
  auto target = resolve(r, Role::op);
  if (!target) return;
  if (!may_call(grant_, target->module->driver().info.methods, r.name)) {
    log_denied(r, "privileged method " + r.name);
    reply_error(r.id, ErrorCode::access_denied,
                r.name + " is a privileged method (admin only); key " + grant_.key_id + " is " +
                    to_string(grant_.role));
    return;
  }
  if (execs_in_flight_ >= api_.config.max_execs_in_flight)
    return reply_limit(r, ErrorCode::request_failed,
                       "too many execs in flight on this connection (" +
                           std::to_string(execs_in_flight_) +
                           ", api.max_execs_in_flight); wait for their answers. " +
                           excerpt(r.name) + " was not run");
  ++execs_in_flight_;
  const auto started = Clock::now();
  std::weak_ptr<ControlSession> weak = shared_from_this();
  auto api = keep_;
  auto key_id = grant_.key_id;
  target->module->exec(
      r.name, r.args,
      [weak, api, request = r, mod_id = target->mod_id, key_id, started](std::exception_ptr error,
                                                                         Json value) {
        const auto elapsed = Clock::now() - started;
        api->metrics.exec_done(mod_id, elapsed, !error);
        ErrorCode code = ErrorCode::unexpected;
        std::string message;
        if (error) {
          try {
            std::rethrow_exception(error);
          } catch (const RoomdError& e) {
            code = e.code();
            message = e.what();
          } catch (const std::exception& e) {
            code = ErrorCode::request_failed;
            message = e.what();
          } catch (...) {
            message = "unknown failure";
          }
          api->log.info("exec by key ", key_id, ": ", mod_id, " ", excerpt(request.name),
                        " failed: ", excerpt(message, kLogExcerptBytes));
        } else {
          api->log.debug("exec by key ", key_id, ": ", mod_id, " ", excerpt(request.name), " ok");
        }
        auto self = weak.lock();
        if (!self) return;
        --self->execs_in_flight_;
        if (error)
          self->reply_error(request.id, code, message);
        else
          self->reply_success(request, &value, nullptr);
      });
}

void ControlSession::on_debug(const Request& r) {
  auto target = resolve(r, Role::admin);
  if (!target) return;
  auto level = LogLevel::debug;
  if (r.level) {
    auto parsed = parse_log_level(*r.level);
    if (!parsed) {
      reply_error(r.id, ErrorCode::bad_request,
                  "field \"level\" must be one of trace, debug, info, warn, error, fatal; got " +
                      excerpt(*r.level));
      return;
    }
    level = *parsed;
  }
  // A second debug of the same module replaces the first.
  if (!debugs_.erase(target->mod_id) && debugs_.size() >= api_.config.max_bindings)
    return reply_limit(r, ErrorCode::bad_request,
                       "debug stream limit reached: this connection debugs " +
                           std::to_string(debugs_.size()) +
                           " modules (api.max_bindings); ignore some first");
  // The tail after "klass" is the same for every record of this stream.
  const std::string head =
      "{\"id\":" + r.id + ",\"type\":\"debug\",\"mod\":" + to_text(target->mod_id) + ",\"klass\":";
  const std::string meta = ",\"meta\":" + meta_of(r, false);
  std::weak_ptr<ControlSession> weak = shared_from_this();
  std::weak_ptr<ApiContext> weak_api = keep_;
  auto io = api_.io;
  auto mod_id = target->mod_id;
  auto listener = [weak, weak_api, io, head, meta, mod_id](const LogRecord& record) {
    // May run on any thread that logs: format here, deliver on the io thread.
    char time[32];
    std::snprintf(time, sizeof time, "%.3f", record.time);
    std::string message = head + to_text(std::string(record.klass)) + ",\"level\":\"" +
                          std::string(to_string(record.level)) +
                          "\",\"msg\":" + to_text(std::string(record.message)) + meta +
                          ",\"time\":" + time + "}";
    asio::post(io, [weak, weak_api, mod_id, message = std::move(message)]() mutable {
      auto self = weak.lock();
      if (!self || !self->out_ || !self->debugs_.contains(mod_id)) {
        if (auto api = weak_api.lock()) ++api->metrics.log_records_dropped;
        return;
      }
      self->out_->send(std::move(message));
    });
  };
  auto subscription = api_.runtime.logs().subscribe(target->mod_id, level, std::move(listener));
  debugs_.emplace(target->mod_id, DebugStream{r.mod, r.index, std::move(subscription)});
  api_.log.info("debug stream of ", target->mod_id, " at ", to_string(level), " for key ",
                grant_.key_id, " (", peer_, ")");
  reply_success(r, nullptr, &target->mod_id);
}

void ControlSession::on_ignore(const Request& r) {
  // `mod` is the module id returned by debug, or a module name with `index`.
  if (!debugs_.erase(r.mod)) {
    if (Module* module = api_.runtime.modules().find(r.sys, r.mod, r.index))
      debugs_.erase(module->module_id());
  }
  reply_success(r, nullptr, nullptr);
}

void ControlSession::close() {
  for (auto& [key, binding] : bindings_) {
    api_.hub.remove(*binding);
    if (out_) out_->forget(*binding);  // no queued message may point at a dead binding
  }
  bindings_.clear();
  debugs_.clear();
  out_ = nullptr;
}

}  // namespace roomd::placeos
