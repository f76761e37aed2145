#include "bench/bench_box.hpp"

#include "main/device_links.hpp"
#include "main/store_and_forward.hpp"
#include "runtime/runtime.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/api_server.hpp"
#include "uplink/http/beast.hpp"
#include "uplink/placeos/placeos_front_end.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <future>

namespace roomd::bench {

using namespace std::chrono_literals;

Box::Box(std::uint16_t projector_port, BoxOptions options) : dir(options.state_dir) {
  if (dir.empty()) {
    dir = std::filesystem::temp_directory_path() / ("roomd-bench-" + std::to_string(getpid()));
    own_dir = true;
  }
  register_builtin_drivers(registry);
  Config config;
  config.box = {"bench", "bench", dir.string()};
  config.log_level = LogLevel::error;
  config.api.listen = "127.0.0.1:0";
  if (!options.default_limits) {
    config.api.max_connections = 5000;
    config.api.max_connections_per_address = 5000;
  }
  config.api.keys = {{"bench", kKey, "", "admin", {"*"}}};
  ModuleConfig proj{"mod-proj", "pjlink",    "Projector", {}, Json{{"poll_every", "1h"}},
                    {},         "modules[0]"};
  TcpTransportConfig tcp_config;
  tcp_config.host = "127.0.0.1";
  tcp_config.port = projector_port;
  proj.transport = tcp_config;
  config.modules = {proj};
  config.systems = {{"bench", "bench", {"mod-proj"}}};
  config.upstream.mqtt = options.upstream;
  config.upstream.outbox_enabled = options.upstream.has_value();
  if (auto errors = check_modules(config, registry); !errors.empty()) {
    std::fprintf(stderr, "config: %s\n", errors.front().text().c_str());
    std::exit(1);
  }
  runtime = std::make_unique<Runtime>(io, config, registry, make_device_links());
  runtime->logs().set_stderr(false);
  api = std::make_unique<ApiServer>(io, *runtime);
  api->mount(std::make_shared<PlaceosFrontEnd>());
  // As `roomd run`: before the modules start, so the outbox records their first status.
  if (options.upstream) upstream = std::make_unique<StoreAndForward>(api->context());
  runtime->start();
  port = api->start();
  thread = std::thread([this] {
    auto guard = asio::make_work_guard(io);
    io.run();
  });
}

Box::~Box() {
  std::promise<void> done;
  asio::post(io, [&] {
    api->stop();
    if (upstream) upstream->stop_upstream();
    runtime->stop();
    done.set_value();
  });
  done.get_future().wait();
  io.stop();
  thread.join();
  upstream.reset();
  api.reset();
  runtime.reset();
  if (own_dir) std::filesystem::remove_all(dir);
}

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

std::vector<double> exec_round_trips(std::uint16_t api_port, int count,
                                     const std::function<void(int)>& before_each) {
  asio::io_context io;
  websocket::stream<tcp::socket> ws(io);
  ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), api_port});
  ws.next_layer().set_option(tcp::no_delay(true));
  ws.handshake("127.0.0.1", std::string("/api/engine/v2/systems/control?api-key=") + kKey);
  const std::string request =
      R"({"id":1,"cmd":"exec","sys":"bench","mod":"Projector","name":"power?","args":[]})";
  std::vector<double> out;
  beast::flat_buffer buffer;
  // Until the projector module is connected (an exec succeeds).
  for (int i = 0; i < 500; ++i) {
    ws.write(asio::buffer(request));
    ws.read(buffer);
    auto text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    if (text.find("\"success\"") != std::string::npos) break;
    std::this_thread::sleep_for(10ms);
  }
  for (int i = 0; i < count; ++i) {
    if (before_each) before_each(i);
    auto t0 = Clock::now();
    ws.write(asio::buffer(request));
    ws.read(buffer);
    out.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    buffer.consume(buffer.size());
  }
  return out;
}

}  // namespace roomd::bench
