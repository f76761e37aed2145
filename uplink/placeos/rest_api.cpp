#include "uplink/placeos/rest_api.hpp"

#include "base/json_parse.hpp"
#include "base/text.hpp"
#include "uplink/core/failure.hpp"
#include "uplink/core/history_json.hpp"
#include "uplink/core/module_address.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/request_router.hpp"
#include "uplink/http/url.hpp"
#include "uplink/placeos/history_query.hpp"

#include <memory>

namespace roomd {

namespace {

Json functions_of(const DriverInfo& driver) {
  Json out = Json::object();
  for (const auto& method : driver.methods) {
    Json params = Json::object();
    Json order = Json::array();
    // Beside "params", not inside it: PlaceOS clients read params' [type, default] pairs.
    Json ranges = Json::object();
    for (const auto& p : method.params) {
      Json spec = Json::array({p.type});
      if (p.default_value) spec.push_back(*p.default_value);
      params[p.name] = spec;
      order.push_back(p.name);
      if (p.range) ranges[p.name] = p.range->to_json();
    }
    out[method.name] = {{"arity", method.params.size()},
                        {"params", params},
                        {"order", order},
                        {"returns", method.returns}};
    if (!ranges.empty()) out[method.name]["ranges"] = std::move(ranges);
    if (!method.description.empty()) out[method.name]["description"] = method.description;
    if (method.privileged) out[method.name]["privileged"] = true;
    if (!method.sets.empty()) out[method.name]["sets"] = method.sets;
  }
  return out;
}

// Request-scoped helper: the request, the caller (null grant: no valid key) and the reply.
class Call {
 public:
  Call(ApiContext& api, const HttpRequest& request, const Grant* grant, Caller caller,
       std::function<void(HttpResponse)> done)
      : api_(api),
        request_(request),
        has_key_(grant != nullptr),
        caller_(std::move(caller)),
        done_(std::move(done)) {}

  void route();

 private:
  void reply(http::status status, const Json& body) {
    done_(json_response(request_, status, to_text(body)));
  }
  void error(const Failure& failure) {
    done_(error_response(request_, static_cast<int>(failure.code), failure.message));
  }
  // The value of a core answer, or nullptr after answering its failure.
  template <class T>
  T* value_or_reply(Result<T>& result) {
    if (auto* failure = std::get_if<Failure>(&result)) {
      error(*failure);
      return nullptr;
    }
    return &std::get<T>(result);
  }
  bool need_key() {
    if (has_key_) return true;
    done_(missing_key(request_));
    return false;
  }
  std::string what() const {
    return std::string(request_.method_string()) + " " +
           excerpt(url::split_target(request_.target()).path);
  }
  Module* module(const SystemView& sys, const std::string& name_index, Role needed) {
    auto [name, index] = split_module_name(name_index);
    auto resolved = api_.resolve(caller_, Target{sys.id, name, index}, needed, what());
    auto* found = value_or_reply(resolved);
    return found ? *found : nullptr;
  }

  void not_allowed(std::string_view path);
  void outbox();
  void alerts();
  void inspect_key();
  void authority();
  void systems();
  void one_system(const SystemView& sys);
  void exec(Module& module, const std::string& method);
  void history(const Module& module, const std::string& name);
  void log_level(const std::string& module_id);
  void reply_levels(const LogLevels& levels);

  ApiContext& api_;
  const HttpRequest& request_;
  bool has_key_;
  Caller caller_;
  std::function<void(HttpResponse)> done_;
};

void Call::route() {
  const auto path = url::split_target(request_.target()).path;
  const auto parts = url::path_segments(path);
  const auto method = request_.method();
  const bool get = method == http::verb::get || method == http::verb::head;

  if (path == "/auth/authority" && get) return authority();
  const bool api =
      parts.size() >= 3 && parts[0] == "api" && parts[1] == "engine" && parts[2] == "v2";
  if (!api) {
    return done_(no_such_endpoint(request_, path));
  }
  if (!need_key()) return;
  // /api/engine/v2/modules/{id}/log_level
  if (parts.size() == 6 && parts[3] == "modules" && parts[5] == "log_level")
    return log_level(parts[4]);
  if (parts.size() == 4 && parts[3] == "outbox" && get) return outbox();
  if (parts.size() == 4 && parts[3] == "alerts" && get) return alerts();
  if (parts.size() == 4 && parts[3] == "alerts") return not_allowed(path);
  if (parts.size() == 5 && parts[3] == "api_keys" && parts[4] == "inspect" && get)
    return inspect_key();
  if (parts.size() < 4 || parts[3] != "systems") {
    return done_(no_such_endpoint(request_, path));
  }
  if (parts.size() == 4 && get) return systems();
  if (parts.size() == 4) return not_allowed(path);
  auto found = api_.system(caller_, parts[4]);
  const SystemView* sys = value_or_reply(found);
  if (!sys) return;
  if (parts.size() == 5 && get) return one_system(*sys);
  if (parts.size() == 6 && get) {
    if (Module* m = module(*sys, parts[5], Role::viewer))
      reply(http::status::ok, api_.module_state(*m));
    return;
  }
  if (parts.size() == 7 && parts[5] == "functions" && get) {
    if (Module* m = module(*sys, parts[6], Role::viewer))
      reply(http::status::ok, functions_of(RequestCore::driver_info(*m)));
    return;
  }
  // /api/engine/v2/systems/{sys}/{mod}_{index}/{name}/history
  if (parts.size() == 8 && parts[7] == "history" && get) {
    if (Module* m = module(*sys, parts[5], Role::viewer)) history(*m, parts[6]);
    return;
  }
  if (parts.size() == 7 && method == http::verb::post) {
    if (Module* m = module(*sys, parts[5], Role::op)) exec(*m, parts[6]);
    return;
  }
  not_allowed(path);
}

void Call::not_allowed(std::string_view path) {
  reply(http::status::method_not_allowed,
        {{"code", 1},
         {"error_code", 1},
         {"msg", std::string(request_.method_string()) + " is not supported on " + excerpt(path)}});
}

void Call::outbox() {
  if (auto failure = api_.check_role(caller_, Role::admin, what())) return error(*failure);
  if (!api_.outbox_report)
    return reply(http::status::not_found,
                 {{"code", 1},
                  {"error_code", 1},
                  {"msg", "no outbox on this box: configure upstream.mqtt (or upstream.outbox)"}});
  reply(http::status::ok, api_.outbox_report());
}

void Call::alerts() {
  Json out = Json::array();
  for (const auto& alert : api_.visible_alerts(caller_))
    out.push_back({{"id", alert.id},
                   {"title", alert.title},
                   {"severity", to_string(alert.severity)},
                   {"module", alert.module},
                   {"sys", alert.sys},
                   {"raised_at", alert.raised_at}});
  reply(http::status::ok, out);
}

void Call::inspect_key() {
  auto key = RequestCore::inspect_key(caller_);
  reply(http::status::ok, {{"id", key.id}, {"role", key.role}, {"systems", key.systems}});
}

void Call::authority() {
  const auto& box = api_.box();
  std::string host(request_[http::field::host]);
  reply(http::status::ok, {{"id", box.id},
                           {"name", box.name},
                           {"description", std::string("roomd ") + RequestCore::version()},
                           {"domain", host},
                           {"login_url", "/login?continue={{url}}"},
                           {"logout_url", "/logout"},
                           {"session", false},
                           {"production", true},
                           {"version", "2.0.0"},
                           {"config", Json::object()}});
}

void Call::systems() {
  Json out = Json::array();
  for (const auto& sys : api_.visible_systems(caller_)) {
    Json modules = Json::array();
    for (const auto& m : sys.modules) modules.push_back(m.name + "_" + std::to_string(m.index));
    out.push_back({{"id", sys.id}, {"name", sys.name}, {"modules", modules}});
  }
  reply(http::status::ok, out);
}

void Call::one_system(const SystemView& sys) {
  Json modules = Json::array();
  for (const auto& m : sys.modules) {
    modules.push_back({{"name", m.name},
                       {"index", m.index},
                       {"module_id", m.module_id},
                       {"driver", m.driver},
                       {"connected", m.connected}});
  }
  reply(http::status::ok, {{"id", sys.id}, {"name", sys.name}, {"modules", modules}});
}

void Call::exec(Module& module, const std::string& method) {
  Json args = Json::array();
  if (!request_.body().empty()) {
    auto parsed = parse_json(request_.body());
    if (!parsed)
      return error({ErrorCode::bad_request,
                    "the body must be a JSON array or object of arguments: " + parsed.error});
    if (!parsed.value.is_array() && !parsed.value.is_object())
      return error({ErrorCode::bad_request,
                    std::string("the body must be a JSON array or object of arguments, got ") +
                        parsed.value.type_name()});
    args = std::move(parsed.value);
  }
  // The request and this Call die when route() returns; the reply needs only copies.
  auto request = std::make_shared<HttpRequest>(request_);
  api_.exec(
      caller_, module, method, std::move(args), [request, done = done_](Result<Json> outcome) {
        if (auto* failure = std::get_if<Failure>(&outcome))
          return done(error_response(*request, static_cast<int>(failure->code), failure->message));
        done(json_response(*request, http::status::ok, to_text(std::get<Json>(outcome))));
      });
}

void Call::history(const Module& module, const std::string& name) {
  auto query = placeos::parse_history_query(url::split_target(request_.target()).query,
                                            api_.history_bounds().max_points);
  auto* parsed = value_or_reply(query);
  if (!parsed) return;
  auto points = api_.history(RequestCore::module_id(module), name, *parsed);
  auto* found = value_or_reply(points);
  if (!found) return;
  reply(http::status::ok, {{"module", RequestCore::module_id(module)},
                           {"name", name},
                           {"points", history_points_json(*found)}});
}

void Call::log_level(const std::string& module_id) {
  auto found = api_.module_by_id(caller_, module_id, Role::admin, what());
  if (!value_or_reply(found)) return;
  if (request_.method() == http::verb::put) {
    Json body = parse_json(request_.body()).value;
    const auto* text = body.is_object() && body.contains("level")
                           ? body["level"].get_ptr<const std::string*>()
                           : nullptr;
    if (!text)
      return error({ErrorCode::bad_request,
                    "body must be {\"level\": \"trace|debug|info|warn|error|fatal\"}"});
    auto levels = api_.set_log_level(caller_, module_id, *text);
    if (auto* set = value_or_reply(levels)) reply_levels(*set);
    return;
  }
  if (request_.method() != http::verb::get)
    return error({ErrorCode::bad_request, "use GET or PUT on log_level"});
  reply_levels(api_.log_levels(module_id));
}

void Call::reply_levels(const LogLevels& levels) {
  reply(http::status::ok, {{"module", levels.module_id},
                           {"level", to_string(levels.level)},
                           {"effective", to_string(levels.effective)}});
}

}  // namespace

void RestApi::handle(const HttpRequest& request, const Grant* grant, std::string peer,
                     Executor executor, std::function<void(HttpResponse)> done) {
  Caller caller{grant ? *grant : Grant{}, std::move(peer), "REST", std::move(executor)};
  Call call(api_, request, grant, std::move(caller), std::move(done));
  call.route();
}

}  // namespace roomd
