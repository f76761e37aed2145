#include "uplink/placeos/control_session.hpp"

#include "base/text.hpp"
#include "uplink/core/request_core.hpp"

#include <cstdio>

namespace roomd::placeos {

namespace {

std::string meta_of(const Request& r, bool with_name) {
  std::string out = "{\"sys\":" + to_text(r.sys) + ",\"mod\":" + to_text(r.mod) +
                    ",\"index\":" + std::to_string(r.index);
  if (with_name) out += ",\"name\":" + to_text(r.name);
  out += '}';
  return out;
}

Target target_of(const Request& r) {
  return {r.sys, r.mod, r.index};
}

}  // namespace

ControlSession::ControlSession(std::shared_ptr<RequestCore> core, Caller caller, ControlOutput& out)
    : client_(std::make_shared<Client>(std::move(core), std::move(caller), out)), out_(out) {}

std::string ControlSession::error_message(std::string_view id, ErrorCode code,
                                          std::string_view message) {
  const auto n = std::to_string(static_cast<int>(code));
  return "{\"id\":" + std::string(id) + ",\"type\":\"error\",\"code\":" + n +
         ",\"error_code\":" + n + ",\"msg\":" + to_text(std::string(message)) + "}";
}

void ControlSession::reply_error(std::string_view id, const Failure& failure) {
  out_.send(error_message(id, failure.code, failure.message));
}

void ControlSession::reply_success(const Request& r, const Json* value, const std::string* mod_id) {
  std::string out = "{\"id\":" + r.id + ",\"type\":\"success\"";
  if (mod_id) out += ",\"mod_id\":" + to_text(*mod_id);
  if (r.cmd != Cmd::ignore) out += ",\"meta\":" + meta_of(r, r.cmd != Cmd::debug);
  if (value) out += ",\"value\":" + to_text(*value);
  out += '}';
  out_.send(std::move(out));
}

void ControlSession::handle(std::string_view text) {
  auto& core = client_->core();
  ++core.metrics.requests;
  auto parsed = parse_request(text);
  if (auto* error = std::get_if<RequestError>(&parsed)) {
    if (error->code == ErrorCode::unknown_command) {
      if (auto more = core.warnings.suspicious.pass())
        core.log.warn("suspicious client ", client_->caller().peer, ": ", error->message, *more);
    }
    reply_error(error->id, {error->code, error->message});
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

void ControlSession::on_bind(const Request& r) {
  auto bound = client_->bind(
      target_of(r), r.name,
      "{\"id\":" + r.id + ",\"type\":\"notify\",\"value\":", ",\"meta\":" + meta_of(r, true) + "}");
  if (auto* failure = std::get_if<Failure>(&bound)) return reply_error(r.id, *failure);
  reply_success(r, nullptr, nullptr);
  const auto [binding, created] = std::get<Client::Bound>(bound);
  // The answer may have closed the connection (queue over its bound): then nothing is bound.
  if (!created || client_->bindings() == 0) return;
  if (auto value = client_->core().hub.current(*binding)) out_.notify(*binding, value);
}

void ControlSession::on_unbind(const Request& r) {
  client_->unbind(target_of(r), r.name);
  reply_success(r, nullptr, nullptr);
}

void ControlSession::on_exec(const Request& r) {
  // The client calls back only while open, and it is closed before this session dies.
  client_->exec(target_of(r), r.name, r.args, [this, request = r](Result<Json> outcome) {
    if (auto* failure = std::get_if<Failure>(&outcome)) return reply_error(request.id, *failure);
    reply_success(request, &std::get<Json>(outcome), nullptr);
  });
}

void ControlSession::on_debug(const Request& r) {
  auto level = LogLevel::debug;
  if (r.level) {
    auto parsed = parse_log_level(*r.level);
    if (!parsed)
      return reply_error(r.id, {ErrorCode::bad_request,
                                "field \"level\" must be one of trace, debug, info, warn, error, "
                                "fatal; got " +
                                    excerpt(*r.level)});
    level = *parsed;
  }
  // Every record of this stream shares what comes before "klass" and after "msg".
  auto format = [head = "{\"id\":" + r.id + ",\"type\":\"debug\",\"mod\":",
                 meta = ",\"meta\":" + meta_of(r, false)](const LogRecord& record) {
    char time[32];
    std::snprintf(time, sizeof time, "%.3f", record.time);
    return head + to_text(std::string(record.module_id)) +
           ",\"klass\":" + to_text(std::string(record.klass)) + ",\"level\":\"" +
           std::string(to_string(record.level)) +
           "\",\"msg\":" + to_text(std::string(record.message)) + meta + ",\"time\":" + time + "}";
  };
  auto debugged = client_->debug(target_of(r), level, std::move(format),
                                 [this](std::string message) { out_.send(std::move(message)); });
  if (auto* failure = std::get_if<Failure>(&debugged)) return reply_error(r.id, *failure);
  reply_success(r, nullptr, &RequestCore::module_id(*std::get<Module*>(debugged)));
}

void ControlSession::on_ignore(const Request& r) {
  client_->ignore(target_of(r));
  reply_success(r, nullptr, nullptr);
}

}  // namespace roomd::placeos
