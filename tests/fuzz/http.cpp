// Fuzz target: one HTTP request as a client could send it, through the same path a socket's
// bytes take: Beast's parser with the API's limits, then the answer to a malformed request,
// the WebSocket upgrade check, or the REST router over a real runtime (the room logic module
// and a projector whose device is offline). Every answer must serialize as HTTP.
#include "main/device_links.hpp"
#include "runtime/runtime.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/api_server.hpp"
#include "uplink/http/http_request.hpp"
#include "uplink/http/request_router.hpp"
#include "uplink/http/upgrade_check.hpp"
#include "uplink/placeos/placeos_front_end.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>

#include <unistd.h>

namespace {

using namespace roomd;

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "http fuzz: %s\n", what);
  std::abort();
}

// Built once: a runtime is far slower to make than an input is to run.
struct Box {
  Box() {
    char dir[] = "/tmp/roomd-fuzz-http-XXXXXX";
    if (!mkdtemp(dir)) finding("no temporary directory");
    register_builtin_drivers(registry);
    Config config;
    config.box = {"fuzz", "fuzz", dir};
    config.log_level = LogLevel::fatal;
    config.api.keys = {{"admin", "fuzz-admin", "", "admin", {"*"}},
                       {"viewer", "fuzz-viewer", "", "viewer", {"sys-1"}}};
    ModuleConfig room{"mod-room", "room", "System", {}, Json::object(), {}, "modules[0]"};
    ModuleConfig proj{"mod-proj", "pjlink", "Projector", {}, Json::object(), {}, "modules[1]"};
    TcpTransportConfig offline;
    offline.host = "127.0.0.1";
    offline.port = 9;  // discard: nothing listens, so the projector stays offline
    offline.backoff_min = offline.backoff_max = std::chrono::hours(1);
    proj.transport = offline;
    config.modules = {room, proj};
    config.systems = {{"sys-1", "Room", {"mod-room", "mod-proj"}}};
    if (!check_modules(config, registry).empty()) finding("the harness's config is invalid");
    runtime = std::make_unique<Runtime>(io, config, registry, make_device_links());
    runtime->logs().set_stderr(false);
    runtime->start();
    api = std::make_unique<ApiServer>(io, *runtime);
    api->mount(std::make_shared<PlaceosFrontEnd>());
    io.poll();
  }

  asio::io_context io{1};
  DriverRegistry registry;
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<ApiServer> api;
};

void check_serializes(const HttpResponse& response) {
  std::ostringstream out;
  out << response;
  if (out.str().rfind("HTTP/1.", 0) != 0) finding("an answer that is not HTTP");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Box box;
  std::optional<RequestParser> parser;
  start_request(parser);
  parser->eager(true);
  beast::error_code ec;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  // Whatever the parser takes; a request cut short is the client hanging up (end of input).
  while (!rest.empty() && !parser->is_done()) {
    const auto used = parser->put(asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    if (ec == http::error::need_more) {
      ec = {};
      if (used == 0) break;
      continue;
    }
    if (ec) break;
  }
  if (!ec && !parser->is_done()) parser->put_eof(ec);
  if (ec) {
    if (auto answer = answer_read_error(ec)) check_serializes(*answer);
    return 0;
  }
  if (!parser->is_done()) return 0;
  const auto& request = parser->get();
  auto& api = box.api->context();
  if (websocket::is_upgrade(request)) {
    auto checked = check_upgrade(api, request, "fuzz");
    if (auto* refusal = std::get_if<HttpResponse>(&checked)) check_serializes(*refusal);
    return 0;
  }
  auto answer = std::make_shared<std::optional<HttpResponse>>();
  route_request(api, request, "fuzz", api.strand,
                [answer](HttpResponse response) { *answer = std::move(response); });
  // An exec answers on the module's strand; offline devices and logic answer within a few
  // turns of the loop.
  for (int turn = 0; turn < 64 && !*answer; ++turn) box.io.poll();
  if (*answer) check_serializes(**answer);
  return 0;
}
