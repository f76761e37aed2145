// roomd run as systemd sees it: on a NOTIFY_SOCKET the test binds (abstract or a path, as
// systemd uses both) it hears READY=1 with a STATUS summary that follows the box (modules,
// API clients, outbox), WATCHDOG=1 again and again while the loop runs, and STOPPING=1 at
// SIGTERM; the stop is graceful: WebSocket clients get a close frame with 1001 (going away),
// the outbox keeps what was committed, and the process exits 0.
#include "runtime/database.hpp"
#include "tests/main/notify_socket.hpp"
#include "tests/main/roomd_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

namespace roomd::test {
namespace {

constexpr const char* kKey = "systemd-test-admin";

// A room module (connected: it has no device) and a projector nothing answers for.
std::string write_config(const TempDir& dir, int port) {
  const auto path = dir.path() + "/roomd.json";
  std::ofstream(path) << R"({ "box": { "id": "room-sd", "state_dir": ")" << dir.path()
                      << R"(" }, "api": { "listen": "127.0.0.1:)" << port
                      << R"(", "keys": [ { "id": "ops", "key": ")" << kKey
                      << R"(", "role": "admin" } ] },
    "modules": [ { "id": "mod-room", "driver": "room", "name": "System" },
                 { "id": "mod-proj", "driver": "pjlink", "name": "Projector",
                   "transport": { "tcp": { "host": "127.0.0.1", "port": )"
                      << free_loopback_port() << R"( } } } ],
    "systems": [ { "id": "sys-sd", "modules": ["mod-room", "mod-proj"] } ],
    "upstream": { "outbox": {} } })";
  return path;
}

// A WebSocket client that completed its handshake; -1 if it could not.
int open_websocket(int port) {
  const int fd = connect_loopback(port);
  std::string got;
  const std::string upgrade = std::string("GET /control/websocket?api-key=") + kKey +
                              " HTTP/1.1\r\nHost: box\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  if (fd >= 0 &&
      (!exchange_fd(fd, upgrade, "\r\n\r\n", got) || got.rfind("HTTP/1.1 101", 0) != 0)) {
    close(fd);
    return -1;
  }
  return fd;
}

std::int64_t outbox_records(const std::string& dir) {
  Database db(dir + "/outbox.db", "outbox");
  auto count = db.prepare("SELECT count(*) FROM records");
  return count.step() ? count.column_int64(0) : -1;
}

}  // namespace

TEST_CASE("under systemd: READY with a status, the watchdog fed, a graceful SIGTERM",
          "[cli][systemd]") {
  TempDir dir;
  NotifySocket notify("@roomd-test-notify-" + std::to_string(getpid()));
  REQUIRE(notify.bound());
  const int port = free_loopback_port();
  RoomdProcess roomd({"run", "--config", write_config(dir, port)},
                     {notify.env(), "WATCHDOG_USEC=200000"});

  CHECK(notify.next("READY=") == "READY=1");
  // In the same datagram: at READY the room module may not have reported connected yet.
  CHECK_THAT(
      notify.next("STATUS="),
      Catch::Matches("STATUS=[01]/2 modules connected, 0 API clients, outbox [0-9]+ pending"));
  // Fed every 100 ms (half of WATCHDOG_USEC) for as long as the loop runs.
  for (int i = 0; i < 3; ++i) CHECK(notify.next("WATCHDOG=") == "WATCHDOG=1");

  const int client = open_websocket(port);
  REQUIRE(client >= 0);
  // The status follows the box: the room module connected (the projector cannot), the client,
  // and the records the outbox took meanwhile.
  const std::regex current(
      "STATUS=1/2 modules connected, 1 API client, outbox [1-9][0-9]* pending");
  std::string status;
  CHECK(wait_until([&] {
    status = notify.next("STATUS=", std::chrono::milliseconds(200));
    return std::regex_match(status, current);
  }));

  CHECK(roomd.stop() == 0);
  CHECK(notify.next("STOPPING=") == "STOPPING=1");
  // A close frame, unmasked from the server: 0x88, length 2, code 1001 (0x03e9).
  std::string got;
  CHECK(exchange_fd(client, "", std::string("\x88\x02\x03\xe9", 4), got, std::chrono::seconds(5)));
  close(client);
  CHECK(outbox_records(dir.path()) > 0);
}

TEST_CASE("under systemd: a NOTIFY_SOCKET that is a path, without a watchdog", "[cli][systemd]") {
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify");
  REQUIRE(notify.bound());
  RoomdProcess roomd({"run", "--config", write_config(dir, free_loopback_port())}, {notify.env()});
  CHECK(notify.next("READY=") == "READY=1");
  CHECK(notify.next("WATCHDOG=", std::chrono::milliseconds(300)).empty());
  CHECK(roomd.stop() == 0);
  CHECK(notify.next("STOPPING=") == "STOPPING=1");
}

}  // namespace roomd::test
