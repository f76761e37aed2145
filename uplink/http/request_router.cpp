#include "uplink/http/request_router.hpp"

#include "base/json.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/credentials.hpp"
#include "uplink/http/url.hpp"

#include <optional>

namespace roomd {

namespace {

// 503 while any module has failed (it stopped retrying and needs a person), with the summary.
HttpResponse healthz(ApiContext& api, const HttpRequest& request) {
  const auto health = api.health();
  Json modules = Json::object();
  for (const auto& m : health.modules)
    modules[m.module_id] = {{"connected", m.connected}, {"state", m.state}};
  const bool failed = health.failed > 0;
  return json_response(request, failed ? http::status::service_unavailable : http::status::ok,
                       to_text({{"status", failed ? "failed" : "ok"},
                                {"modules", modules},
                                {"connected", health.connected},
                                {"failed", health.failed},
                                {"total", health.modules.size()}}));
}

HttpResponse metrics(ApiContext& api, const HttpRequest& request) {
  HttpResponse response(http::status::ok, request.version());
  response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.keep_alive(request.keep_alive());
  response.body() =
      api.metrics.render(api.runtime, api.hub, {api.limits->open(), api.limits->evicted()});
  if (api.upstream_metrics) response.body() += api.upstream_metrics();
  response.prepare_payload();
  if (request.method() == http::verb::head) response.body().clear();
  return response;
}

std::optional<HttpResponse> answer_server_route(ApiContext& api, const HttpRequest& request,
                                                const Grant* grant, std::string_view path) {
  const auto method = request.method();
  if (method != http::verb::get && method != http::verb::head) return std::nullopt;
  if (path == "/healthz") return healthz(api, request);
  if (path != "/metrics") return std::nullopt;
  if (!grant) return missing_key(request);
  return metrics(api, request);
}

}  // namespace

void route_request(ApiContext& api, const HttpRequest& request, std::string peer, Executor executor,
                   std::function<void(HttpResponse)> done) {
  const Grant* grant = nullptr;
  if (auto key = find_api_key(request)) grant = api.keys.authenticate(*key);
  const auto path = url::split_target(request.target()).path;
  if (auto answer = answer_server_route(api, request, grant, path)) return done(std::move(*answer));
  FrontEnd* front_end = api.serving(path);
  if (!front_end) return done(no_such_endpoint(request, path));
  front_end->handle(api, request, grant, std::move(peer), std::move(executor), std::move(done));
}

HttpResponse missing_key(const HttpRequest& request) {
  return json_response(request, http::status::unauthorized,
                       R"({"code":2,"error_code":2,"msg":"missing or unknown API key"})");
}

}  // namespace roomd
