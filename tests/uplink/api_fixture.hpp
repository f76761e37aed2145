// A runtime with the API server on an ephemeral port, run on a background thread, plus
// blocking Beast clients with read deadlines: tests talk to roomd the way a panel does.
#pragma once

#include "runtime/runtime.hpp"
#include "tests/support/temp_dir.hpp"
#include "uplink/http/api_server.hpp"
#include "uplink/http/beast.hpp"

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace roomd::test {

constexpr const char* kAdminKey = "admin-key-0123";
constexpr const char* kOperatorKey = "operator-key-4567";
constexpr const char* kViewerKey = "viewer-key-89ab";
constexpr const char* kOtherSystemKey = "other-key-cdef";  // operator, sys-2 only
constexpr const char* kHashedKey = "hashed-key-secret";    // viewer, stored as key_sha256

struct ApiOptions {
  std::size_t max_frame = 64 * 1024;
  std::size_t max_connections = 64;
  std::size_t max_connections_per_address = 64;
  std::size_t max_bindings = 1000;
  std::size_t max_execs_in_flight = 64;
  std::chrono::milliseconds header_timeout{10000};
  std::size_t max_queue_bytes = 1 << 20;
  std::chrono::milliseconds max_queue_age{10000};
  std::chrono::milliseconds idle_timeout{60000};
  std::string state_dir;       // empty: a fresh temporary directory
  bool broken_module = false;  // adds mod-broken (sys-2 Broken_1), whose driver always fails
  int io_threads = 1;          // threads running the io_context (drivers' strands and the API's)
  std::optional<ApiTlsConfig> tls;  // HTTPS and WSS only
  // OpenFrame's system_status period.
  std::chrono::milliseconds status_every{10000};
  // Dialects of the test's own, mounted after the built-in ones.
  std::vector<std::shared_ptr<FrontEnd>> front_ends;
  // Modules of the test's own, appended to sys-1, with every built-in driver registered: a
  // real driver against its simulator.
  std::vector<ModuleConfig> extra_modules;
  std::chrono::milliseconds offline_after{30000};  // alert_options.offline_after
  DasConfig das;                                   // DAS's Socket.IO timers and payload bound
};

// sys-1: Display_1 (mod-a), Display_2 (mod-b), Switcher_1 (mod-net: TCP to a closed port, so
// offline); sys-2: Display_1 (mod-c). Display modules run the test driver `api_test_display`,
// whose `hold(ms)` answers only after ms milliseconds.
class ApiFixture {
 public:
  explicit ApiFixture(ApiOptions options = {});
  ~ApiFixture();

  std::uint16_t port() const { return port_; }
  // Runs fn on the API strand and waits for it.
  void on_io(const std::function<void()>& fn);
  void set_status(const std::string& module_id, const std::string& name, Json value);
  Runtime& runtime() { return *runtime_; }
  ApiServer& server() { return *server_; }

 private:
  asio::io_context io_;
  TempDir dir_;
  DriverRegistry registry_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<ApiServer> server_;
  std::uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

// Every log record at `level` or above, from any module (the API's own lines are module
// "api"), collected from whatever thread logs them.
class LogRecorder {
 public:
  struct Line {
    LogLevel level;
    std::string module_id;
    std::string message;
  };
  LogRecorder(Runtime& runtime, LogLevel level);
  std::vector<Line> lines() const;
  // Lines whose message contains `text`.
  std::vector<Line> containing(const std::string& text) const;

 private:
  mutable std::mutex mutex_;
  std::vector<Line> lines_;
  Subscription tap_;
};

// Polls `condition` on the io thread until it holds or the deadline passes.
bool wait_until_on(ApiFixture& api, const std::function<bool()>& condition,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

// One message from `ws`, whose io_context `io` runs nothing else, within `timeout`; throws
// std::runtime_error when none came in time, beast::system_error when the stream failed.
template <class WebSocket>
std::string read_message(asio::io_context& io, WebSocket& ws, std::chrono::milliseconds timeout) {
  // Asynchronous under a deadline: a blocking read retries forever once SO_RCVTIMEO fires.
  beast::flat_buffer buffer;
  std::optional<beast::error_code> result;
  ws.async_read(buffer, [&](beast::error_code ec, std::size_t) { result = ec; });
  io.restart();
  io.run_for(timeout);
  if (!result) {
    beast::error_code ignored;
    beast::get_lowest_layer(ws).cancel(ignored);
    io.restart();
    io.run();
    // The read may have completed just as the deadline passed: then it counts.
    if (!result || *result == asio::error::operation_aborted)
      throw std::runtime_error("no WebSocket message within " + std::to_string(timeout.count()) +
                               " ms");
  }
  if (*result) throw beast::system_error(*result);
  return beast::buffers_to_string(buffer.data());
}

// A blocking WebSocket client. Every read has a deadline: a test fails, it never hangs.
class WsClient {
 public:
  // Connects to `target` with optional extra headers; throws beast::system_error (with the
  // HTTP status in `status()` of the declined response) when the upgrade is refused.
  // `receive_buffer` > 0 shrinks the socket's receive buffer (a slow client fills up fast).
  WsClient(std::uint16_t port, std::string target, std::map<std::string, std::string> headers = {},
           int receive_buffer = 0);
  static WsClient with_key(std::uint16_t port, const std::string& key);

  void send(const std::string& text);
  void send_binary(const std::string& bytes);
  std::string read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  Json read_json(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Sends a request and returns the next message.
  Json request(const Json& request);
  // "ping" and wait for "pong": everything the server queued before is read first and
  // returned, so a test can assert that nothing else arrived.
  std::vector<Json> drain();
  // The close code the server sent, once a read failed with `closed`.
  int close_code() const;
  websocket::stream<tcp::socket>& stream() { return ws_; }

 private:
  void set_timeout(std::chrono::milliseconds timeout);

  asio::io_context io_;
  websocket::stream<tcp::socket> ws_;
};

struct HttpResult {
  int status = 0;
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;  // by lowercase name
  Json json() const { return Json::parse(body); }
};

HttpResult http_call(std::uint16_t port, http::verb method, const std::string& target,
                     const std::string& body = "", std::map<std::string, std::string> headers = {});
// Raw bytes to the API from `source` (any 127.x.y.z address is loopback), then everything the
// server sends until it closes the connection or the deadline passes.
struct RawResult {
  std::string received;
  bool closed = false;  // the server ended the connection (EOF or reset)
};
RawResult raw_exchange(std::uint16_t port, const std::string& bytes,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5),
                       const std::string& source = "127.0.0.1");
// A connection from `source` that sends nothing; for tests that hold many of them open.
tcp::socket idle_connection(asio::io_context& io, std::uint16_t port,
                            const std::string& source = "127.0.0.1");

// The status of a refused WebSocket upgrade (or 101 when it was accepted).
int upgrade_status(std::uint16_t port, const std::string& target,
                   std::map<std::string, std::string> headers = {});

}  // namespace roomd::test
