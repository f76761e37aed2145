// Connections of every kind count against api.max_connections and the per-address bound from
// the moment they are accepted, before any request; past either they get a 503 and are
// closed. Unfinished request heads are cut at api.header_timeout, and a failing accept
// (out of file descriptors) backs off instead of spinning.
#include "tests/support/wait.hpp"
#include "tests/uplink/api_fixture.hpp"
#include "uplink/http/api_context.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace roomd;
using namespace roomd::test;
using namespace std::chrono_literals;

namespace {

const std::string kHealth = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

std::size_t open_connections(ApiFixture& api) {
  std::size_t open = 0;
  api.on_io([&] { open = api.server().context().limits->open(); });
  return open;
}

bool is_503(const RawResult& raw) {
  return raw.received.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0 && raw.closed;
}

// Raises this process's soft open-file limit to its hard limit; returns the new limit.
rlim_t raise_open_files() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

}  // namespace

TEST_CASE("idle connections count from accept, one address cannot take every place") {
  ApiOptions options;
  options.max_connections = 20;
  options.max_connections_per_address = 4;
  ApiFixture api(options);
  asio::io_context io;
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(idle_connection(io, api.port(), "127.0.0.2"));
  REQUIRE(wait_until([&] { return open_connections(api) == 4; }));

  // A fifth from the same address is refused with a reason, then closed.
  auto refused = raw_exchange(api.port(), kHealth, 5s, "127.0.0.2");
  CHECK(is_503(refused));
  CHECK(refused.received.find("api.max_connections_per_address") != std::string::npos);
  // Another address is served meanwhile.
  auto served = raw_exchange(api.port(), kHealth, 5s, "127.0.0.1");
  CHECK(served.received.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  api.on_io([&] {
    CHECK(api.server().context().metrics.http_refused_address_full == 1);
    CHECK(api.server().context().limits->open_from(asio::ip::make_address("127.0.0.2")) == 4);
  });
  // Places come back when connections close.
  idle.clear();
  REQUIRE(wait_until([&] { return open_connections(api) == 0; }));
  CHECK(raw_exchange(api.port(), kHealth, 5s, "127.0.0.2").received.rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("when full, the connection waiting longest for a request makes room") {
  ApiOptions options;
  options.max_connections = 3;
  ApiFixture api(options);
  asio::io_context io;
  std::vector<tcp::socket> idle;
  for (const char* source : {"127.0.0.3", "127.0.0.4", "127.0.0.5"})
    idle.push_back(idle_connection(io, api.port(), source));
  REQUIRE(wait_until([&] { return open_connections(api) == 3; }));
  // A newcomer that talks is served; the oldest idle socket (127.0.0.3) was closed for it.
  auto served = raw_exchange(api.port(), kHealth, 5s, "127.0.0.6");
  CHECK(served.received.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  api.on_io([&] {
    auto& limits = *api.server().context().limits;
    CHECK(limits.evicted() == 1);
    CHECK(limits.open_from(asio::ip::make_address("127.0.0.3")) == 0);
    CHECK(limits.open_from(asio::ip::make_address("127.0.0.4")) == 1);
  });
  char byte = 0;
  beast::error_code ec;
  idle[0].read_some(asio::buffer(&byte, 1), ec);
  CHECK(ec);  // EOF or reset: the server closed it
}

TEST_CASE("past api.max_connections, with nobody idle to close, connections get 503") {
  ApiOptions options;
  options.max_connections = 2;
  ApiFixture api(options);
  auto first = WsClient::with_key(api.port(), kAdminKey);  // WebSockets are never closed for room
  auto second = WsClient::with_key(api.port(), kAdminKey);
  REQUIRE(wait_until([&] { return open_connections(api) == 2; }));
  auto refused = raw_exchange(api.port(), kHealth, 5s, "127.0.0.5");
  CHECK(is_503(refused));
  CHECK(refused.received.find("(api.max_connections)") != std::string::npos);
  CHECK(upgrade_status(api.port(), "/control/websocket?api-key=" + std::string(kAdminKey)) == 503);
  api.on_io([&] { CHECK(api.server().context().metrics.http_refused_server_full == 2); });
  // The open WebSockets are unaffected.
  Json bind = {{"id", 1}, {"cmd", "bind"}, {"sys", "sys-1"}, {"mod", "Display"}, {"name", "x"}};
  CHECK(first.request(bind)["type"] == "success");
  CHECK(second.request(bind)["type"] == "success");
}

TEST_CASE("a request head that does not arrive within api.header_timeout is cut") {
  ApiOptions options;
  options.header_timeout = 300ms;
  ApiFixture api(options);
  // Half a request line, then nothing: the server closes, the place is free again.
  auto slow = raw_exchange(api.port(), "GET /heal", 10s);
  CHECK(slow.closed);  // by the server, well before the exchange's own 10 s
  CHECK(slow.received.empty());
  REQUIRE(wait_until([&] { return open_connections(api) == 0; }));
  // A client that sends its request in time is served as before.
  CHECK(raw_exchange(api.port(), kHealth).received.rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("1,500 idle sockets do not keep a well-behaved client from its execs") {
  REQUIRE(raise_open_files() >= 4096);  // 1,500 sockets at each end, in this one process
  ApiOptions options;
  options.max_connections = 256;
  options.max_connections_per_address = 32;
  ApiFixture api(options);
  asio::io_context io;
  std::vector<tcp::socket> idle;
  idle.reserve(1500);
  // From one address, then from many: both bounds are exercised.
  for (int i = 0; i < 500; ++i) idle.push_back(idle_connection(io, api.port(), "127.0.0.2"));
  for (int i = 0; i < 1000; ++i)
    idle.push_back(idle_connection(io, api.port(), "127.0.1." + std::to_string(1 + i / 16)));
  REQUIRE(wait_until([&] { return open_connections(api) == 256; }));

  // A panel arriving now gets in and has every exec answered, while the sockets stay open.
  auto panel = WsClient::with_key(api.port(), kOperatorKey);
  int answered = 0;
  for (int i = 0; i < 200; ++i) {
    Json exec = {{"id", i},          {"cmd", "exec"},    {"sys", "sys-1"},
                 {"mod", "Display"}, {"name", "volume"}, {"args", {i % 100}}};
    auto answer = panel.request(exec);
    answered += answer["type"] == "success" && answer["value"] == i % 100 ? 1 : 0;
  }
  CHECK(answered == 200);
  api.on_io([&] {
    const auto& context = api.server().context();
    CHECK(context.limits->open() <= 256);
    CHECK(context.metrics.http_refused_address_full >= 500 - 32);
    CHECK(context.limits->evicted() > 0);
    CHECK(context.metrics.accept_errors == 0);
  });
}

TEST_CASE("out of file descriptors, accept backs off and warns with a count, then recovers") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizers' runtime opens a pipe to check memory before it reports, so with every
  // descriptor taken it reports errors that are not there; the plain build runs this test.
  WARN("skipped under a sanitizer: it needs free file descriptors of its own");
  return;
#endif
  ApiFixture api;
  LogRecorder log(api.runtime(), LogLevel::warn);
  asio::io_context io;
  tcp::socket waiting(io);  // its descriptor (and the io_context's epoll) before the hogs
  waiting.open(tcp::v4());
  // Use up every descriptor this process may open, so the server's accept fails with EMFILE.
  std::vector<int> hogs;
  for (;;) {
    int fd = ::open("/dev/null", O_RDONLY);
    if (fd < 0) break;
    hogs.push_back(fd);
  }
  waiting.connect({asio::ip::make_address("127.0.0.1"), api.port()});  // queued; accept fails
  auto accept_errors = [&] {
    std::uint64_t errors = 0;
    api.on_io([&] { errors = api.server().context().metrics.accept_errors; });
    return errors;
  };
  REQUIRE(wait_until([&] { return accept_errors() >= 1; }));
  const auto seen = accept_errors();
  const auto first = Clock::now();
  REQUIRE(wait_until([&] { return accept_errors() >= seen + 3; }));
  // The retries wait 50 ms, then twice as long each time: of the three seen here, the last two
  // waited at least 100 + 200 ms. A loop that spun would have failed thousands of times.
  CHECK(Clock::now() - first >= 300ms);
  auto warnings = log.containing("accepting a connection");
  CHECK(warnings.size() == 1);  // one line per five seconds at most
  REQUIRE_FALSE(warnings.empty());
  CHECK_THAT(warnings[0].message, Catch::Contains("Too many open files"));
  CHECK_THAT(warnings[0].message, Catch::Contains("LimitNOFILE"));
  for (int fd : hogs) ::close(fd);
  // Descriptors are back: the queued connection is accepted and served.
  asio::write(waiting, asio::buffer(kHealth));
  timeval deadline{5, 0};  // a failing test fails, it does not hang
  ::setsockopt(waiting.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline);
  std::string answer(64, '\0');
  waiting.read_some(asio::buffer(answer));
  CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
}
