// `roomd run` on SIGHUP: the file is read again; one with problems is refused as a whole, each
// problem logged with its JSON path, and the box serves on as it was; a good one is applied
// without dropping connections (modules added, keys replaced), what needs a restart is named,
// and systemd hears RELOADING=1, then READY=1.
#include "tests/main/notify_socket.hpp"
#include "tests/main/roomd_process.hpp"
#include "tests/main/store_and_forward_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace roomd::test {
namespace {

constexpr const char* kFirstKey = "reload-first-key";
constexpr const char* kSecondKey = "reload-second-key";

struct Version {
  const char* key = kFirstKey;
  std::size_t max_connections = 64;
  bool second_room = false;
  const char* first_driver = "room";
};

void write_version(const std::string& path, const TempDir& dir, int port, const Version& v) {
  std::ofstream(path)
      << R"({ "box": { "id": "room-hup", "state_dir": ")" << dir.path()
      << R"(" }, "api": { "listen": "127.0.0.1:)" << port << R"(", "max_connections": )"
      << v.max_connections << R"(, "keys": [ { "id": "ops", "key": ")" << v.key
      << R"(", "role": "admin" } ] },
    "modules": [ { "id": "mod-room", "driver": ")"
      << v.first_driver << R"(", "name": "System" } )"
      << (v.second_room ? R"(, { "id": "mod-room-2", "driver": "room", "name": "System" })" : "")
      << R"( ],
    "systems": [ { "id": "sys-a", "modules": ["mod-room"] } )"
      << (v.second_room ? R"(, { "id": "sys-b", "modules": ["mod-room-2"] })" : "") << " ] }";
}

std::string systems(int port, const char* key) {
  auto [status, body] = http(port, "GET", "/api/engine/v2/systems", key);
  return status + " " + body;
}

}  // namespace

TEST_CASE("SIGHUP: a bad file is refused with its paths and a good one applied in place",
          "[cli][reload]") {
  TempDir dir;
  NotifySocket notify("@roomd-test-reload-" + std::to_string(getpid()));
  REQUIRE(notify.bound());
  const int port = free_loopback_port();
  const auto path = dir.path() + "/roomd.json";
  write_version(path, dir, port, {});
  // The state directory given on the command line wins over the file's, at a reload too.
  const auto state_dir = dir.path() + "/state";
  std::filesystem::create_directories(state_dir);
  RoomdProcess roomd({"run", "--config", path, "--state-dir", state_dir}, {notify.env()});
  REQUIRE(notify.next("READY=") == "READY=1");
  REQUIRE(api_port(roomd) == port);

  // A driver nobody has: refused, named by its path, and nothing changes.
  write_version(path, dir, port, {.key = kSecondKey, .first_driver = "no-such-driver"});
  REQUIRE(kill(roomd.pid(), SIGHUP) == 0);
  CHECK(notify.next("RELOADING=") == "RELOADING=1");
  CHECK(notify.next("READY=") == "READY=1");
  // The summary comes first, then one line per problem.
  const auto refused = roomd.wait_for("modules[0].driver");
  CHECK_THAT(refused, Catch::Contains("config reload refused") && Catch::Contains("has 1 problem"));
  CHECK_THAT(systems(port, kFirstKey), Catch::StartsWith("HTTP/1.1 200") &&
                                           Catch::Contains("sys-a") && !Catch::Contains("sys-b"));

  // A second room, a new key and a new connection bound (which needs a restart).
  write_version(path, dir, port, {.key = kSecondKey, .max_connections = 32, .second_room = true});
  REQUIRE(kill(roomd.pid(), SIGHUP) == 0);
  CHECK(notify.next("RELOADING=") == "RELOADING=1");
  CHECK(notify.next("READY=") == "READY=1");
  const auto applied = roomd.wait_for("takes effect at the next restart");
  CHECK_THAT(applied, Catch::Contains("config reloaded: 1 added (mod-room-2), systems updated, "
                                      "API keys updated"));
  CHECK_THAT(applied, Catch::Contains("api (limits) changed"));
  CHECK_THAT(applied, !Catch::Contains("box.state_dir"));
  CHECK_THAT(systems(port, kFirstKey), Catch::StartsWith("HTTP/1.1 401"));
  CHECK_THAT(systems(port, kSecondKey), Catch::StartsWith("HTTP/1.1 200") &&
                                            Catch::Contains("sys-a") && Catch::Contains("sys-b"));
  // The new room runs: its state answers through the API.
  auto [status, body] = http(port, "GET", "/api/engine/v2/systems/sys-b/System_1", kSecondKey);
  CHECK_THAT(status, Catch::StartsWith("HTTP/1.1 200"));
  // Neither key appears in the log.
  CHECK_THAT(applied, !Catch::Contains(kFirstKey) && !Catch::Contains(kSecondKey));
  CHECK(roomd.stop() == 0);
}

}  // namespace roomd::test
