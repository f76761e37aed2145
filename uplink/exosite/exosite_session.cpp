#include "uplink/exosite/exosite_session.hpp"

#include "base/json_parse.hpp"
#include "base/text.hpp"
#include "uplink/core/module_address.hpp"
#include "uplink/http/api_context.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <variant>

namespace roomd {
namespace {

// One message may carry this many calls; more is refused whole (a batch is answered at once,
// and its answer must stay a sensible size).
constexpr std::size_t kMaxCalls = 256;

constexpr const char* kAuthHint = "send {\"auth\": {\"cik\": \"<API key>\"}} first";

Json ok(const Json& id) {
  return {{"id", id}, {"status", "ok"}};
}

Json ok(const Json& id, Json result) {
  auto answer = ok(id);
  answer["result"] = std::move(result);
  return answer;
}

Json fail(const Json& id, int code, std::string message) {
  return {
      {"id", id}, {"status", "fail"}, {"error", {{"code", code}, {"message", std::move(message)}}}};
}

struct CallError {
  int code;
  std::string message;
};

struct Resource {
  Alias alias;
  std::string text;  // as the client wrote it, for messages
  Module* module = nullptr;
  std::string module_id;
};

// arguments[0] as a resource the caller may use at `role`, with a variable the module has.
std::variant<Resource, CallError> resolve(ApiContext& api, const Caller& caller,
                                          const Json& resource, Role role, std::string_view what) {
  const Json* alias = &resource;
  if (resource.is_object() && resource.size() == 1 && resource.contains("alias"))
    alias = &resource["alias"];
  if (!alias->is_string())
    return CallError{
        400,
        "arguments[0]: expected a resource, an alias such as \"sys-101/Display_1/power\" "
        "or {\"alias\": \"sys-101/Display_1/power\"}, got " +
            json_excerpt(resource)};
  const auto& text = alias->get_ref<const std::string&>();
  auto parsed = parse_alias(text);
  if (!parsed)
    return CallError{404, "no resource '" + excerpt(text) +
                              "': an alias is <system>/<Module>_<index>/<variable>, such as "
                              "sys-101/Display_1/power"};
  auto found = api.resolve(caller, parsed->target, role, std::string(what) + " " + excerpt(text));
  if (auto* failure = std::get_if<Failure>(&found))
    return CallError{http_status_of(*failure), failure->message};
  Module* module = std::get<Module*>(found);
  const auto& info = RequestCore::driver_info(*module);
  const bool declared = std::any_of(info.status.begin(), info.status.end(),
                                    [&](const StatusInfo& s) { return s.name == parsed->name; });
  const bool has_value = api.module_state(*module).contains(parsed->name);
  if (!declared && !has_value && RequestCore::setter_of(*module, parsed->name).empty())
    return CallError{404, "no variable '" + excerpt(parsed->name) + "' on " + parsed->target.sys +
                              "/" + parsed->target.mod + "_" +
                              std::to_string(parsed->target.index) + " (driver " + info.name + ")"};
  return Resource{std::move(*parsed), text, module, RequestCore::module_id(*module)};
}

// The options object of a call (absent or null: none), every key checked against `known`.
std::variant<Json, CallError> options_of(const Json& args, std::size_t at,
                                         std::initializer_list<std::string_view> known) {
  if (args.size() <= at || args[at].is_null()) return Json::object();
  const Json& options = args[at];
  if (!options.is_object())
    return CallError{400, "arguments[" + std::to_string(at) +
                              "]: expected an object of options, got " + json_excerpt(options)};
  for (const auto& [key, value] : options.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string names;
      for (auto name : known) names += (names.empty() ? "" : ", ") + std::string(name);
      return CallError{400, "unknown option '" + excerpt(key) + "'; the options are " + names};
    }
  }
  return options;
}

std::optional<double> seconds_option(const Json& options, const char* key, CallError& error) {
  if (!options.contains(key)) return std::nullopt;
  const Json& value = options[key];
  if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0) {
    error = {400, std::string(key) + ": expected Unix seconds, got " + json_excerpt(value)};
    return std::nullopt;
  }
  return value.get<double>();
}

std::string sub_variable(const Resource& resource) {
  // Module ids never hold '/', so this names one variable unambiguously.
  return resource.module_id + "/" + resource.alias.name;
}

}  // namespace

struct ExositeSession::Batch {
  std::vector<Json> answers;
  std::size_t pending = 0;
  std::vector<SubKey> activations;  // subscriptions that start once the answer went out
};

struct ExositeSession::Subscribed {
  Json reply_id;
  std::string module_id;
  std::string name;
  std::optional<double> since;
  bool active = false;
  std::uint64_t last_seq = 0;
  std::vector<HistoryPoint> buffered;  // new values that came before the subscribe's answer
  std::unique_ptr<asio::steady_timer> timeout;
};

// Finds a (module id, name) pair of strings by a pair of views, with no allocation on the
// setter's thread.
struct VariableLess {
  using is_transparent = void;
  using View = std::pair<std::string_view, std::string_view>;
  static View view(const std::pair<std::string, std::string>& key) {
    return {key.first, key.second};
  }
  static View view(const View& key) { return key; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return view(a) < view(b);
  }
};

struct ExositeSession::Watch {
  std::mutex mutex;
  std::multiset<std::pair<std::string, std::string>, VariableLess> variables;
};

ExositeSession::ExositeSession(const WsOpening& opening)
    : api_(opening.api),
      peer_(opening.peer),
      executor_(opening.executor),
      out_(opening.out),
      watch_(std::make_shared<Watch>()) {}

ExositeSession::~ExositeSession() {
  close();
}

void ExositeSession::on_binary() {
  if (closed_) return;
  if (!client_)
    return refuse_auth("binary frames are not part of the protocol; " + std::string(kAuthHint));
  send_error(400, "binary frames are not part of the protocol; send JSON text");
}

void ExositeSession::close() {
  if (closed_) return;
  closed_ = true;
  history_.reset();
  subscriptions_.clear();
  batches_.clear();
  if (client_) client_->close();
}

void ExositeSession::send_error(int code, const std::string& message) {
  out_.send(to_text(Json{{"status", "error"}, {"error", {{"code", code}, {"message", message}}}}));
}

void ExositeSession::refuse_auth(const std::string& message) {
  if (auto more = api_->warnings.unauthorized.pass())
    api_->log.warn("Exosite client ", peer_, " refused: ", message, *more);
  send_error(401, message);
  out_.close_after(kWsClosePolicy);
  closed_ = true;
}

void ExositeSession::on_text(std::string_view text) {
  if (closed_) return;
  auto parsed = parse_json(text);
  if (!parsed) {
    if (!client_) return refuse_auth("invalid JSON (" + parsed.error + "); " + kAuthHint);
    return send_error(400, "invalid JSON: " + parsed.error);
  }
  const Json& message = parsed.value;
  if (!client_) return authenticate(message);
  if (message.is_object() && message.contains("auth"))
    return send_error(400, "already authenticated; send {\"calls\": [...]}");
  if (message.is_object() && message.size() == 1 && message.contains("calls"))
    return run_calls(message["calls"]);
  if (message.is_array()) return run_calls(message);  // the bare list some examples show
  send_error(400, "expected {\"calls\": [{\"id\", \"procedure\", \"arguments\"}, ...]}, got " +
                      json_excerpt(message));
}

void ExositeSession::authenticate(const Json& message) {
  const Json* cik = nullptr;
  if (message.is_object() && message.size() == 1 && message.contains("auth") &&
      message["auth"].is_object() && message["auth"].contains("cik"))
    cik = &message["auth"]["cik"];
  if (cik == nullptr || !cik->is_string())
    return refuse_auth(std::string("not authenticated; ") + kAuthHint);
  const Grant* grant = api_->keys.authenticate(cik->get_ref<const std::string&>());
  if (grant == nullptr)
    return refuse_auth("invalid cik: unknown API key (fingerprint " +
                       key_fingerprint(cik->get_ref<const std::string&>()) + ")");
  client_ = std::make_shared<Client>(api_, Caller{*grant, peer_, "Exosite", executor_}, out_);
  out_.set_key_id(grant->key_id);
  out_.send(R"({"status":"ok"})");
}

void ExositeSession::run_calls(const Json& calls) {
  if (!calls.is_array() || calls.empty())
    return send_error(400,
                      "calls: expected a non-empty array of calls, got " + json_excerpt(calls));
  if (calls.size() > kMaxCalls)
    return send_error(400, "calls: " + std::to_string(calls.size()) +
                               " calls in one message; at most " + std::to_string(kMaxCalls));
  auto batch = std::make_shared<Batch>();
  batch->answers.resize(calls.size());
  batch->pending = calls.size();
  batches_.push_back(batch);
  for (std::size_t i = 0; i < calls.size() && !closed_; ++i) run_call(batch, i, calls[i]);
  send_ready();
}

void ExositeSession::run_call(const std::shared_ptr<Batch>& batch, std::size_t slot,
                              const Json& call) {
  auto answer = [&](Json result) {
    batch->answers[slot] = std::move(result);
    --batch->pending;
  };
  const std::string where = "calls[" + std::to_string(slot) + "]";
  if (!call.is_object())
    return answer(fail(
        nullptr, 400,
        where + ": expected {\"id\", \"procedure\", \"arguments\"}, got " + json_excerpt(call)));
  const Json id = call.contains("id") ? call["id"] : Json();
  const Json* procedure = call.contains("procedure") ? &call["procedure"] : nullptr;
  if (procedure == nullptr || !procedure->is_string())
    return answer(fail(id, 400, where + ".procedure: expected a procedure name such as \"read\""));
  Json args = call.contains("arguments") ? call["arguments"] : Json::array();
  if (!args.is_array())
    return answer(
        fail(id, 400, where + ".arguments: expected an array, got " + json_excerpt(args)));
  const auto& name = procedure->get_ref<const std::string&>();
  if (name == "read") return answer(read(id, args));
  if (name == "write") return write(batch, slot, id, args);
  if (name == "subscribe") return answer(subscribe(batch, id, args));
  if (name == "unsubscribe") return answer(unsubscribe(id, args));
  answer(fail(id, 501,
              "procedure '" + excerpt(name) +
                  "' is not served by roomd; it serves read, write, subscribe and unsubscribe"));
}

Json ExositeSession::read(const Json& id, const Json& args) {
  if (args.empty() || args.size() > 2)
    return fail(id, 400, "read takes [resource, {starttime, endtime, limit, sort, selection}]");
  auto found = resolve(*api_, client_->caller(), args[0], Role::viewer, "read");
  if (auto* error = std::get_if<CallError>(&found)) return fail(id, error->code, error->message);
  auto& resource = std::get<Resource>(found);
  auto options = options_of(args, 1, {"starttime", "endtime", "limit", "sort", "selection"});
  if (auto* error = std::get_if<CallError>(&options)) return fail(id, error->code, error->message);
  const Json& o = std::get<Json>(options);

  HistoryQuery query;
  CallError error{0, {}};
  query.since = seconds_option(o, "starttime", error);
  query.until = seconds_option(o, "endtime", error);
  if (error.code) return fail(id, error.code, error.message);
  const auto bound = api_->history_bounds().max_points;
  query.limit = query.since || query.until ? bound : 1;
  if (o.contains("limit")) {
    const Json& limit = o["limit"];
    if (!limit.is_number_integer() || limit.get<std::int64_t>() < 1)
      return fail(id, 400,
                  "limit: expected a whole number of at least 1, got " + json_excerpt(limit));
    query.limit = std::min<std::size_t>(limit.get<std::uint64_t>(), bound);
  }
  if (o.contains("sort")) {
    if (o["sort"] != "asc" && o["sort"] != "desc")
      return fail(id, 400, "sort: expected \"asc\" or \"desc\", got " + json_excerpt(o["sort"]));
    query.ascending = o["sort"] == "asc";
  }
  if (o.contains("selection") && o["selection"] != "all")
    return fail(id, 400, "selection: only \"all\" is served, got " + json_excerpt(o["selection"]));
  auto points = api_->history(resource.module_id, resource.alias.name, query);
  if (auto* failure = std::get_if<Failure>(&points)) return fail(id, 500, failure->message);
  return ok(id, history_points_json(std::get<std::vector<HistoryPoint>>(points)));
}

void ExositeSession::write(const std::shared_ptr<Batch>& batch, std::size_t slot, const Json& id,
                           const Json& args) {
  auto answer = [batch, slot](Json result) {
    batch->answers[slot] = std::move(result);
    --batch->pending;
  };
  if (args.size() != 2) return answer(fail(id, 400, "write takes [resource, value]"));
  auto found = resolve(*api_, client_->caller(), args[0], Role::op, "write");
  if (auto* error = std::get_if<CallError>(&found))
    return answer(fail(id, error->code, error->message));
  auto& resource = std::get<Resource>(found);
  const auto setter = RequestCore::setter_of(*resource.module, resource.alias.name);
  if (setter.empty())
    return answer(fail(id, 405,
                       excerpt(resource.text) + " cannot be written: its driver (" +
                           RequestCore::driver_info(*resource.module).name +
                           ") declares no method that sets '" + resource.alias.name + "'"));
  client_->exec(resource.alias.target, setter, Json::array({args[1]}),
                [this, alive = std::weak_ptr<bool>(alive_), answer, id](Result<Json> outcome) {
                  if (!alive.lock() || closed_) return;
                  if (auto* failure = std::get_if<Failure>(&outcome))
                    answer(fail(id, http_status_of(*failure), failure->message));
                  else
                    answer(ok(id));
                  send_ready();
                });
}

Json ExositeSession::subscribe(const std::shared_ptr<Batch>& batch, const Json& id,
                               const Json& args) {
  if (args.empty() || args.size() > 2)
    return fail(id, 400, "subscribe takes [resource, {since, timeout, subs_id}]");
  auto found = resolve(*api_, client_->caller(), args[0], Role::viewer, "subscribe");
  if (auto* error = std::get_if<CallError>(&found)) return fail(id, error->code, error->message);
  auto& resource = std::get<Resource>(found);
  auto options = options_of(args, 1, {"since", "timeout", "subs_id"});
  if (auto* error = std::get_if<CallError>(&options)) return fail(id, error->code, error->message);
  const Json& o = std::get<Json>(options);

  CallError error{0, {}};
  auto since = seconds_option(o, "since", error);
  if (error.code) return fail(id, error.code, error.message);
  std::optional<std::chrono::milliseconds> timeout;
  if (o.contains("timeout")) {
    const Json& t = o["timeout"];
    if (!t.is_number_integer() || t.get<std::int64_t>() < 0)
      return fail(id, 400,
                  "timeout: expected milliseconds, a whole number, got " + json_excerpt(t));
    timeout = std::chrono::milliseconds(t.get<std::int64_t>());
  }
  Json reply_id = id;
  if (o.contains("subs_id")) {
    if (!o["subs_id"].is_string() && !o["subs_id"].is_number())
      return fail(id, 400,
                  "subs_id: expected a string or a number, got " + json_excerpt(o["subs_id"]));
    reply_id = o["subs_id"];
  }
  SubKey key{to_text(reply_id), sub_variable(resource)};
  if (!subscriptions_.count(key) && subscriptions_.size() >= api_->config.max_bindings)
    return fail(id, 400,
                "this connection has " + std::to_string(subscriptions_.size()) +
                    " subscriptions, the most api.max_bindings allows");
  end_subscription(key);  // the same subs_id on the same variable starts over

  auto sub = std::make_unique<Subscribed>();
  sub->reply_id = reply_id;
  sub->module_id = resource.module_id;
  sub->name = resource.alias.name;
  sub->since = since;
  if (timeout) {
    sub->timeout = std::make_unique<asio::steady_timer>(executor_, *timeout);
    sub->timeout->async_wait(
        [this, alive = std::weak_ptr<bool>(alive_), key](const boost::system::error_code& ec) {
          if (ec || !alive.lock()) return;
          end_subscription(key);
        });
  }
  {
    std::lock_guard lock(watch_->mutex);
    watch_->variables.emplace(sub->module_id, sub->name);
  }
  subscriptions_.emplace(key, std::move(sub));
  if (!history_) {
    history_ = api_->subscribe_history([watch = watch_, executor = executor_,
                                        alive = std::weak_ptr<bool>(alive_),
                                        this](std::string_view module_id, std::string_view name,
                                              const HistoryPoint& point) {
      {
        std::lock_guard lock(watch->mutex);
        if (watch->variables.find(VariableLess::View(module_id, name)) == watch->variables.end())
          return;
      }
      asio::post(executor, [alive, this, module = std::string(module_id),
                            variable = std::string(name), point] {
        if (alive.lock()) on_point(module, variable, point);
      });
    });
  }
  batch->activations.push_back(std::move(key));
  return ok(id);
}

Json ExositeSession::unsubscribe(const Json& id, const Json& args) {
  const Json* resource = nullptr;
  const Json* options = nullptr;
  if (args.size() == 1) {
    options = &args[0];
  } else if (args.size() == 2) {
    resource = &args[0];
    options = &args[1];
  }
  if (options == nullptr || !options->is_object() || !options->contains("subs_id"))
    return fail(id, 400, "unsubscribe takes [resource, {\"subs_id\": …}] or [{\"subs_id\": …}]");
  const auto subs = to_text((*options)["subs_id"]);
  std::size_t ended = 0;
  if (resource) {
    auto found = resolve(*api_, client_->caller(), *resource, Role::viewer, "unsubscribe");
    if (auto* error = std::get_if<CallError>(&found)) return fail(id, error->code, error->message);
    const SubKey key{subs, sub_variable(std::get<Resource>(found))};
    ended = subscriptions_.count(key);
    end_subscription(key);
  } else {
    std::vector<SubKey> keys;
    for (const auto& [key, sub] : subscriptions_)
      if (key.first == subs) keys.push_back(key);
    for (const auto& key : keys) end_subscription(key);
    ended = keys.size();
  }
  if (ended == 0) return fail(id, 404, "no subscription with subs_id " + excerpt(subs));
  return ok(id);
}

void ExositeSession::send_ready() {
  while (!closed_ && !batches_.empty() && batches_.front()->pending == 0) {
    auto batch = std::move(batches_.front());
    batches_.pop_front();
    out_.send(to_text(Json(std::move(batch->answers))));
    for (const auto& key : batch->activations) activate(key);
  }
}

void ExositeSession::activate(const SubKey& key) {
  auto it = subscriptions_.find(key);
  if (it == subscriptions_.end()) return;  // ended in the same batch
  auto& sub = *it->second;
  if (sub.since) {
    HistoryQuery query;
    query.since = sub.since;
    query.ascending = true;
    query.limit = api_->history_bounds().max_points;
    auto points = api_->history(sub.module_id, sub.name, query);
    if (auto* found = std::get_if<std::vector<HistoryPoint>>(&points)) {
      for (const auto& point : *found) {
        if (point.t <= *sub.since) continue;  // "after since"
        send_point(sub, point);
        sub.last_seq = std::max(sub.last_seq, point.seq);
      }
    }
  }
  for (const auto& point : sub.buffered) {
    if (point.seq <= sub.last_seq) continue;  // replayed from the history already
    send_point(sub, point);
    sub.last_seq = point.seq;
  }
  sub.buffered.clear();
  sub.active = true;
}

void ExositeSession::on_point(const std::string& module_id, const std::string& name,
                              const HistoryPoint& point) {
  if (closed_) return;
  for (auto& [key, sub] : subscriptions_) {
    if (sub->module_id != module_id || sub->name != name) continue;
    if (!sub->active) {
      sub->buffered.push_back(point);
    } else if (point.seq > sub->last_seq) {
      send_point(*sub, point);
      sub->last_seq = point.seq;
    }
  }
}

void ExositeSession::send_point(const Subscribed& sub, const HistoryPoint& point) {
  out_.send(to_text(Json::array({{{"id", sub.reply_id},
                                  {"status", "ok"},
                                  {"result", Json::array({history_point_json(point)})}}})));
}

void ExositeSession::end_subscription(const SubKey& key) {
  auto it = subscriptions_.find(key);
  if (it == subscriptions_.end()) return;
  {
    std::lock_guard lock(watch_->mutex);
    auto watched = watch_->variables.find(std::make_pair(it->second->module_id, it->second->name));
    if (watched != watch_->variables.end()) watch_->variables.erase(watched);
  }
  subscriptions_.erase(it);
}

}  // namespace roomd
