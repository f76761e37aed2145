#include "uplink/http/panel_front_end.hpp"

#include "uplink/http/url.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace roomd {

namespace {

constexpr std::string_view kPrefix = "/panel/";

// Nothing but the box itself: no inline script or style, no framing, no plugins.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

HttpResponse plain(const HttpRequest& request, http::status status, std::string body) {
  HttpResponse response(status, request.version());
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.set("X-Content-Type-Options", "nosniff");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  if (request.method() == http::verb::head) response.body().clear();
  return response;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

std::string_view PanelFrontEnd::content_type(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
  }};
  for (const auto& [extension, type] : kTypes)
    if (path.size() > extension.size() && path.ends_with(extension)) return type;
  return "application/octet-stream";
}

bool PanelFrontEnd::serves(std::string_view path) const {
  return path == "/" || path == "/index.html" || path.starts_with(kPrefix);
}

const PanelAsset* PanelFrontEnd::find(std::string_view path) const {
  std::string_view name =
      path.starts_with(kPrefix) ? path.substr(kPrefix.size()) : std::string_view("index.html");
  auto it = std::lower_bound(assets_.begin(), assets_.end(), name,
                             [](const PanelAsset& a, std::string_view n) { return a.path < n; });
  return it != assets_.end() && it->path == name ? &*it : nullptr;
}

void PanelFrontEnd::handle(ApiContext&, const HttpRequest& request, const Grant*, std::string,
                           Executor, std::function<void(HttpResponse)> done) {
  const auto path = url::split_target(request.target()).path;
  const auto method = request.method();
  if (method != http::verb::get && method != http::verb::head) {
    auto response = plain(request, http::status::method_not_allowed,
                          "the panel's files take GET or HEAD only\n");
    response.set(http::field::allow, "GET, HEAD");
    return done(std::move(response));
  }
  const PanelAsset* asset = find(path);
  if (!asset)
    return done(plain(request, http::status::not_found,
                      "no such file in the web panel: " + std::string(path) + "\n"));

  const bool unchanged = etag_matches(request[http::field::if_none_match], asset->etag);
  HttpResponse response(unchanged ? http::status::not_modified : http::status::ok,
                        request.version());
  response.set(http::field::content_type, content_type(asset->path));
  response.set(http::field::etag, asset->etag);
  response.set(http::field::cache_control, "no-cache");
  response.set("Content-Security-Policy", kPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set(http::field::x_frame_options, "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.keep_alive(request.keep_alive());
  if (!unchanged) {
    response.body().assign(asset->body);
    response.prepare_payload();
    if (method == http::verb::head) response.body().clear();
  }
  done(std::move(response));
}

}  // namespace roomd
