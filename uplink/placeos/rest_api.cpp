#include "uplink/placeos/rest_api.hpp"

#include "base/json_parse.hpp"
#include "base/text.hpp"
#include "runtime/module.hpp"
#include "runtime/runtime.hpp"
#include "runtime/sdk/version.hpp"
#include "uplink/core/failure.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/url.hpp"

#include <charconv>
#include <memory>

namespace roomd {

namespace {

http::status status_for(int code) {
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::parse_error:
    case ErrorCode::bad_request:
    case ErrorCode::unknown_command:
      return http::status::bad_request;
    case ErrorCode::access_denied:
      return http::status::forbidden;
    case ErrorCode::system_not_found:
    case ErrorCode::module_not_found:
      return http::status::not_found;
    case ErrorCode::request_failed:
      return http::status::bad_gateway;  // the device (behind us) failed
    case ErrorCode::unexpected:
      break;
  }
  return http::status::internal_server_error;
}

// "Display_2" -> ("Display", 2); a name without a numeric suffix is index 1.
std::pair<std::string, int> split_module(const std::string& text) {
  auto underscore = text.rfind('_');
  if (underscore != std::string::npos && underscore + 1 < text.size()) {
    int index = 0;
    auto begin = text.data() + underscore + 1;
    auto end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(begin, end, index);
    if (ec == std::errc() && ptr == end && index >= 1) return {text.substr(0, underscore), index};
  }
  return {text, 1};
}

bool is_connected(Runtime& runtime, const std::string& module_id) {
  auto value = runtime.state().get(module_id, "connected");
  return value && value->is_boolean() && value->get<bool>();
}

Json functions_of(const Module& module) {
  Json out = Json::object();
  for (const auto& method : module.driver().info.methods) {
    Json params = Json::object();
    Json order = Json::array();
    for (const auto& p : method.params) {
      Json spec = Json::array({p.type});
      if (p.default_value) spec.push_back(*p.default_value);
      params[p.name] = spec;
      order.push_back(p.name);
    }
    out[method.name] = {{"arity", method.params.size()},
                        {"params", params},
                        {"order", order},
                        {"returns", method.returns}};
    if (!method.description.empty()) out[method.name]["description"] = method.description;
    if (method.privileged) out[method.name]["privileged"] = true;
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
    done_(json_response(request_, http::status::unauthorized,
                        R"({"code":2,"error_code":2,"msg":"missing or unknown API key"})"));
    return false;
  }
  std::string what() const {
    return std::string(request_.method_string()) + " " +
           excerpt(url::split_target(request_.target()).path);
  }
  Module* module(const System& sys, const std::string& name_index, Role needed) {
    auto [name, index] = split_module(name_index);
    auto resolved = api_.resolve(caller_, Target{sys.id, name, index}, needed, what());
    auto* found = value_or_reply(resolved);
    return found ? *found : nullptr;
  }

  void authority();
  void healthz();
  void metrics();
  void systems();
  void one_system(const System& sys);
  void exec(Module& module, const std::string& method);
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
  if (path == "/healthz" && get) return healthz();
  if (path == "/metrics" && get) {
    if (!need_key()) return;
    return metrics();
  }
  const bool api =
      parts.size() >= 3 && parts[0] == "api" && parts[1] == "engine" && parts[2] == "v2";
  if (!api) {
    return reply(http::status::not_found,
                 {{"code", 1}, {"error_code", 1}, {"msg", "no such endpoint: " + excerpt(path)}});
  }
  if (!need_key()) return;
  // /api/engine/v2/modules/{id}/log_level
  if (parts.size() == 6 && parts[3] == "modules" && parts[5] == "log_level")
    return log_level(parts[4]);
  if (parts.size() < 4 || parts[3] != "systems") {
    return reply(http::status::not_found,
                 {{"code", 1}, {"error_code", 1}, {"msg", "no such endpoint: " + excerpt(path)}});
  }
  if (parts.size() == 4 && get) return systems();
  const System* sys = nullptr;
  if (parts.size() >= 5) {
    auto found = api_.system(caller_, parts[4]);
    auto* value = value_or_reply(found);
    if (!value) return;
    sys = *value;
  }
  if (parts.size() == 5 && get) return one_system(*sys);
  if (parts.size() == 6 && get) {
    if (Module* m = module(*sys, parts[5], Role::viewer))
      reply(http::status::ok, api_.runtime.state().module_state(m->module_id()));
    return;
  }
  if (parts.size() == 7 && parts[5] == "functions" && get) {
    if (Module* m = module(*sys, parts[6], Role::viewer)) reply(http::status::ok, functions_of(*m));
    return;
  }
  if (parts.size() == 7 && method == http::verb::post) {
    if (Module* m = module(*sys, parts[5], Role::op)) exec(*m, parts[6]);
    return;
  }
  reply(http::status::method_not_allowed,
        {{"code", 1},
         {"error_code", 1},
         {"msg", std::string(request_.method_string()) + " is not supported on " + excerpt(path)}});
}

void Call::authority() {
  const auto& box = api_.runtime.config().box;
  std::string host(request_[http::field::host]);
  reply(http::status::ok, {{"id", box.id},
                           {"name", box.name},
                           {"description", std::string("roomd ") + ROOMD_VERSION_STRING},
                           {"domain", host},
                           {"login_url", "/login?continue={{url}}"},
                           {"logout_url", "/logout"},
                           {"session", false},
                           {"production", true},
                           {"version", "2.0.0"},
                           {"config", Json::object()}});
}

// 503 while any module has failed (it stopped retrying and needs a person), with the summary.
void Call::healthz() {
  Json modules = Json::object();
  int connected = 0;
  int failed = 0;
  for (const auto& m : api_.runtime.modules().modules()) {
    const bool up = is_connected(api_.runtime, m->module_id());
    const bool broken = m->run_state() == ModuleRunState::failed;
    connected += up ? 1 : 0;
    failed += broken ? 1 : 0;
    modules[m->module_id()] = {{"connected", up}, {"state", to_string(m->run_state())}};
  }
  reply(failed > 0 ? http::status::service_unavailable : http::status::ok,
        {{"status", failed > 0 ? "failed" : "ok"},
         {"modules", modules},
         {"connected", connected},
         {"failed", failed},
         {"total", api_.runtime.modules().modules().size()}});
}

void Call::metrics() {
  auto response = HttpResponse(http::status::ok, request_.version());
  response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.keep_alive(request_.keep_alive());
  response.body() = api_.metrics.render(api_.runtime, api_.hub, *api_.limits);
  response.prepare_payload();
  if (request_.method() == http::verb::head) response.body().clear();
  done_(std::move(response));
}

void Call::systems() {
  Json out = Json::array();
  for (const System* sys : api_.visible_systems(caller_)) {
    Json modules = Json::array();
    for (const auto& m : sys->modules) modules.push_back(m.name + "_" + std::to_string(m.index));
    out.push_back({{"id", sys->id}, {"name", sys->name}, {"modules", modules}});
  }
  reply(http::status::ok, out);
}

void Call::one_system(const System& sys) {
  Json modules = Json::array();
  for (const auto& m : sys.modules) {
    modules.push_back({{"name", m.name},
                       {"index", m.index},
                       {"module_id", m.module->module_id()},
                       {"driver", m.module->driver().info.name},
                       {"connected", is_connected(api_.runtime, m.module->module_id())}});
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

HttpResponse json_response(const HttpRequest& request, http::status status,
                           const std::string& body) {
  HttpResponse response(status, request.version());
  response.set(http::field::server, "roomd");
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = body;
  response.prepare_payload();
  if (request.method() == http::verb::head) response.body().clear();  // the length stays
  return response;
}

HttpResponse error_response(const HttpRequest& request, int code, const std::string& message) {
  Json body = {{"code", code}, {"error_code", code}, {"msg", message}};
  return json_response(request, status_for(code), to_text(body));
}

void RestApi::handle(const HttpRequest& request, const Grant* grant, std::string peer,
                     Executor executor, std::function<void(HttpResponse)> done) {
  Caller caller{grant ? *grant : Grant{}, std::move(peer), "REST", std::move(executor)};
  Call call(api_, request, grant, std::move(caller), std::move(done));
  call.route();
}

}  // namespace roomd
