#include "tests/uplink/api_fixture.hpp"

#include "main/device_links.hpp"
#include "uplink/exosite/exosite_front_end.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/panel_front_end.hpp"
#include "uplink/openframe/openframe_front_end.hpp"
#include "uplink/placeos/placeos_front_end.hpp"
#include "uplink/socketio/das_front_end.hpp"

#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/driver_info.hpp"
#include "runtime/sdk/methods.hpp"
#include "tests/support/wait.hpp"
#include "uplink/core/access.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cctype>
#include <functional>
#include <optional>
#include <stdexcept>

#include <sys/socket.h>

namespace roomd::test {

namespace {

// A display without a transport: its methods act on status directly, so the API tests see
// exactly what they cause.
class ApiTestDisplay final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "api_test_display";
    info.generic_name = "Display";
    info.transport = TransportKind::none;
    return info;
  }
  static void expose(Methods<ApiTestDisplay>& m) {
    m.method("power", &ApiTestDisplay::power, {"on"}).sets("power");
    m.method("volume", &ApiTestDisplay::volume,
             {Param("level", Range{0, 100}), Param("ramp", false)});
    // The setter of a variable the device refuses to take (Exosite's write failing).
    m.method("fail", &ApiTestDisplay::fail, {"why"}).sets("failing");
    m.method("crash", &ApiTestDisplay::crash);
    m.method("chatter", &ApiTestDisplay::chatter, {"text"});
    m.method("odd_throw", &ApiTestDisplay::odd_throw);
    m.method("factory_reset", &ApiTestDisplay::factory_reset).privileged();
    m.method("hold", &ApiTestDisplay::hold, {"ms"});
  }
  Task<int> hold(int ms) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(ms));
    co_await timer.async_wait(asio::use_awaitable);
    co_return ms;
  }
  Task<bool> factory_reset() {
    set_status("reset", true);
    co_return true;
  }
  // Something that is not an exception class escapes: only the framework can report it (7).
  Task<void> odd_throw() {
    throw 42;
    co_return;
  }
  Task<bool> power(bool on) {
    set_status("power", on);
    co_return on;
  }
  Task<int> volume(int level, bool ramp) {
    set_status("volume", level);
    (void)ramp;
    co_return level;
  }
  Task<void> fail(std::string why) {
    throw RequestFailed("display answered ERR: " + why);
    co_return;
  }
  Task<void> crash() {
    throw std::logic_error("driver bug");
    co_return;
  }
  Task<void> chatter(std::string text) {
    log().trace("trace: ", text);
    log().debug("debug: ", text);
    log().info("info: ", text);
    co_return;
  }
};

// A switcher on TCP that is never reachable: its methods fail as offline.
class ApiTestSwitcher final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "api_test_switcher";
    info.generic_name = "Switcher";
    info.transport = TransportKind::tcp;
    info.tokenizer = DelimiterSpec{{"\n"}};
    return info;
  }
  static void expose(Methods<ApiTestSwitcher>& m) {
    m.method("tie", &ApiTestSwitcher::tie, {"input", "output"});
  }
  Task<Json> tie(int input, int output) {
    std::string bytes = std::to_string(input) + "*" + std::to_string(output) + "!\n";
    co_return co_await send(std::move(bytes),
                            {.timeout = std::chrono::milliseconds(200), .retries = 0});
  }
};

// A driver that cannot even be created: its module fails and keeps restarting.
class ApiTestBroken final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "api_test_broken";
    info.generic_name = "Broken";
    info.transport = TransportKind::none;
    return info;
  }
  static void expose(Methods<ApiTestBroken>&) {}
  ApiTestBroken() { throw std::runtime_error("firmware table missing"); }
};

std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

std::string hex(const std::array<unsigned char, 32>& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (auto b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace

ApiFixture::ApiFixture(ApiOptions options) : io_(options.io_threads) {
  registry_.add(make_registration<ApiTestDisplay>());
  registry_.add(make_registration<ApiTestSwitcher>());
  registry_.add(make_registration<ApiTestBroken>());
  Config config;
  config.box.id = "box-api";
  config.box.name = "API test box";
  config.box.state_dir = options.state_dir.empty() ? dir_.path() : options.state_dir;
  config.log_level = LogLevel::info;
  config.api.listen = "127.0.0.1:0";
  config.api.max_frame = options.max_frame;
  config.api.max_connections = options.max_connections;
  config.api.max_connections_per_address = options.max_connections_per_address;
  config.api.max_bindings = options.max_bindings;
  config.api.max_execs_in_flight = options.max_execs_in_flight;
  config.api.header_timeout = options.header_timeout;
  config.api.max_queue_bytes = options.max_queue_bytes;
  config.api.max_queue_age = options.max_queue_age;
  config.api.idle_timeout = options.idle_timeout;
  config.api.tls = options.tls;
  config.api.keys = {
      {"admin", kAdminKey, "", "admin", {"*"}},
      {"panel", kOperatorKey, "", "operator", {"sys-1"}},
      {"viewer", kViewerKey, "", "viewer", {"sys-1"}},
      {"other", kOtherSystemKey, "", "operator", {"sys-2"}},
      {"hashed", "", hex(sha256(kHashedKey)), "viewer", {"sys-1"}},
  };
  ModuleConfig a{"mod-a", "api_test_display", "Display", {}, Json::object(), {}, "modules[0]"};
  ModuleConfig b{"mod-b", "api_test_display", "Display", {}, Json::object(), {}, "modules[1]"};
  ModuleConfig c{"mod-c", "api_test_display", "Display", {}, Json::object(), {}, "modules[2]"};
  ModuleConfig net{"mod-net", "api_test_switcher", "Switcher", {}, Json::object(),
                   {},        "modules[3]"};
  TcpTransportConfig tcp_config;
  tcp_config.host = "127.0.0.1";
  tcp_config.port = closed_port();
  tcp_config.backoff_min = std::chrono::milliseconds(50);
  tcp_config.backoff_max = std::chrono::milliseconds(100);
  net.transport = tcp_config;
  config.modules = {a, b, c, net};
  config.systems = {{"sys-1", "Room 1", {"mod-a", "mod-b", "mod-net"}},
                    {"sys-2", "Room 2", {"mod-c"}}};
  if (!options.extra_modules.empty()) register_builtin_drivers(registry_);
  for (auto& module : options.extra_modules) {
    module.json_path = "modules[" + std::to_string(config.modules.size()) + "]";
    config.systems[0].modules.push_back(module.id);
    config.modules.push_back(std::move(module));
  }
  config.alert_options.offline_after = options.offline_after;
  if (options.broken_module) {
    config.modules.push_back(
        {"mod-broken", "api_test_broken", "Broken", {}, Json::object(), {}, "modules[4]"});
    config.systems[1].modules.push_back("mod-broken");
  }
  auto errors = check_modules(config, registry_);
  INFO((errors.empty() ? std::string() : errors.front().text()));
  REQUIRE(errors.empty());

  runtime_ = std::make_unique<Runtime>(io_, config, registry_, make_device_links());
  runtime_->logs().set_stderr(false);
  runtime_->start();
  server_ = std::make_unique<ApiServer>(io_, *runtime_, options.io_threads);
  server_->mount(std::make_shared<PlaceosFrontEnd>());
  server_->mount(std::make_shared<ExositeFrontEnd>());
  server_->mount(std::make_shared<PanelFrontEnd>());
  server_->mount(std::make_shared<OpenFrameFrontEnd>(options.status_every));
  server_->mount(std::make_shared<DasFrontEnd>(options.das));
  for (auto& front_end : options.front_ends) server_->mount(std::move(front_end));
  port_ = server_->start();
  auto guard = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(
      io_.get_executor());
  for (int i = 0; i < options.io_threads; ++i) threads_.emplace_back([this, guard] { io_.run(); });
}

ApiFixture::~ApiFixture() {
  on_io([this] {
    server_->stop();
    runtime_->stop();
  });
  on_io([this] { io_.stop(); });
  for (auto& thread : threads_) thread.join();
  server_.reset();
  runtime_.reset();
}

void ApiFixture::on_io(const std::function<void()>& fn) {
  std::promise<void> done;
  asio::post(server_ ? server_->context().strand : io_.get_executor(), [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

void ApiFixture::set_status(const std::string& module_id, const std::string& name, Json value) {
  on_io([&] { runtime_->state().set(module_id, name, std::move(value)); });
}

LogRecorder::LogRecorder(Runtime& runtime, LogLevel level) {
  tap_ = runtime.logs().tap(level, [this](const LogRecord& record) {
    std::lock_guard lock(mutex_);
    lines_.push_back({record.level, std::string(record.module_id), std::string(record.message)});
  });
}

std::vector<LogRecorder::Line> LogRecorder::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::vector<LogRecorder::Line> LogRecorder::containing(const std::string& text) const {
  std::vector<Line> found;
  for (auto& line : lines())
    if (line.message.find(text) != std::string::npos) found.push_back(line);
  return found;
}

bool wait_until_on(ApiFixture& api, const std::function<bool()>& condition,
                   std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        bool holds = false;
        api.on_io([&] { holds = condition(); });
        return holds;
      },
      timeout);
}

WsClient::WsClient(std::uint16_t port, std::string target,
                   std::map<std::string, std::string> headers, int receive_buffer)
    : ws_(io_) {
  ws_.next_layer().open(tcp::v4());
  if (receive_buffer > 0)
    ws_.next_layer().set_option(asio::socket_base::receive_buffer_size(receive_buffer));
  ws_.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  set_timeout(std::chrono::seconds(5));
  ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  ws_.handshake("127.0.0.1:" + std::to_string(port), target);
}

WsClient WsClient::with_key(std::uint16_t port, const std::string& key) {
  return WsClient(port, "/api/engine/v2/systems/control?api-key=" + key);
}

void WsClient::set_timeout(std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

void WsClient::send(const std::string& text) {
  ws_.text(true);
  ws_.write(asio::buffer(text));
}

void WsClient::send_binary(const std::string& bytes) {
  ws_.binary(true);
  ws_.write(asio::buffer(bytes));
}

std::string WsClient::read(std::chrono::milliseconds timeout) {
  return read_message(io_, ws_, timeout);
}

Json WsClient::read_json(std::chrono::milliseconds timeout) {
  auto text = read(timeout);
  auto json = Json::parse(text, nullptr, false);
  INFO(text);
  REQUIRE_FALSE(json.is_discarded());
  return json;
}

Json WsClient::request(const Json& request) {
  send(request.dump());
  return read_json();
}

std::vector<Json> WsClient::drain() {
  send("ping");
  std::vector<Json> before;
  for (;;) {
    auto text = read();
    if (text == "pong") return before;
    before.push_back(Json::parse(text));
  }
}

int WsClient::close_code() const {
  return static_cast<int>(ws_.reason().code);
}

HttpResult http_call(std::uint16_t port, http::verb method, const std::string& target,
                     const std::string& body, std::map<std::string, std::string> headers) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "box.local:" + std::to_string(port));
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty()) {
    request.body() = body;
    request.set(http::field::content_type, "application/json");
  }
  request.prepare_payload();
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(method == http::verb::head);  // a HEAD answer has a length but no body
  http::read(socket, buffer, parser);
  const auto& response = parser.get();
  HttpResult result{static_cast<int>(response.result_int()),
                    response.body(),
                    std::string(response[http::field::content_type]),
                    {}};
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
  }
  return result;
}

tcp::socket idle_connection(asio::io_context& io, std::uint16_t port, const std::string& source) {
  tcp::socket socket(io);
  socket.open(tcp::v4());
  socket.bind({asio::ip::make_address(source), 0});
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  return socket;
}

RawResult raw_exchange(std::uint16_t port, const std::string& bytes,
                       std::chrono::milliseconds timeout, const std::string& source) {
  asio::io_context io;
  auto socket = idle_connection(io, port, source);
  RawResult result;
  beast::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);  // the server may close before reading it all
  std::array<char, 4096> chunk;
  std::function<void()> read = [&] {
    socket.async_read_some(asio::buffer(chunk), [&](beast::error_code read_ec, std::size_t n) {
      result.received.append(chunk.data(), n);
      if (read_ec) {
        result.closed = read_ec != asio::error::operation_aborted;
        return;
      }
      read();
    });
  };
  read();
  io.run_for(timeout);
  return result;
}

int upgrade_status(std::uint16_t port, const std::string& target,
                   std::map<std::string, std::string> headers) {
  asio::io_context io;
  websocket::stream<tcp::socket> ws(io);
  ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  websocket::response_type response;
  beast::error_code ec;
  ws.handshake(response, "127.0.0.1", target, ec);
  return static_cast<int>(response.result_int());
}

}  // namespace roomd::test
