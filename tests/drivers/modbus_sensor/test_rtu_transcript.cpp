// Byte-exact RTU transcript: the test is the slave on a pseudo-terminal. roomd must send the
// XY-MD02 datasheet request, and the datasheet answer must become 30.5 °C and 54.6 %RH.
#include "main/device_links.hpp"
#include "runtime/runtime.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <vector>

using namespace roomd;
using namespace std::chrono_literals;

namespace {

struct Pty {
  int master = -1;
  int slave = -1;
  std::string path;
  Pty() {
    char name[128];
    REQUIRE(openpty(&master, &slave, name, nullptr, nullptr) == 0);
    path = name;
    termios raw{};
    tcgetattr(slave, &raw);
    cfmakeraw(&raw);
    tcsetattr(slave, TCSANOW, &raw);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  }
  ~Pty() {
    close(master);
    close(slave);
  }
  std::vector<std::uint8_t> read_available() {
    std::vector<std::uint8_t> out(256);
    auto n = ::read(master, out.data(), out.size());
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
  }
};

}  // namespace

TEST_CASE("XY-MD02 RTU transcript: request bytes, answer bytes, status", "[modbus][rtu]") {
  Pty pty;
  asio::io_context io;
  test::TempDir dir;
  DriverRegistry registry;
  register_builtin_drivers(registry);
  Config config;
  config.box = {"box", "box", dir.path()};
  config.log_level = LogLevel::fatal;
  ModuleConfig module{"mod-temp", "xy_md02", "Sensor", {}, Json::object(), {}, "modules[0]"};
  ModbusRtuConfig rtu;
  rtu.port.path = pty.path;
  rtu.unit = 1;
  rtu.bus.timeout = 2s;
  module.transport = rtu;
  config.modules = {module};
  REQUIRE(check_modules(config, registry).empty());
  Runtime runtime(io, config, registry, make_device_links());
  runtime.logs().set_stderr(false);
  runtime.start();

  std::vector<std::uint8_t> request;
  REQUIRE(test::run_until(io, [&] {
    auto bytes = pty.read_available();
    request.insert(request.end(), bytes.begin(), bytes.end());
    return request.size() >= 8;
  }));
  CHECK(request == std::vector<std::uint8_t>{0x01, 0x04, 0x00, 0x01, 0x00, 0x02, 0x20, 0x0B});

  const std::uint8_t answer[] = {0x01, 0x04, 0x04, 0x01, 0x31, 0x02, 0x22, 0x2A, 0xCE};
  REQUIRE(::write(pty.master, answer, sizeof answer) == sizeof answer);
  REQUIRE(test::run_until(
      io, [&] { return runtime.state().get("mod-temp", "humidity") == Json(54.6); }));
  CHECK(runtime.state().get("mod-temp", "temperature") == Json(30.5));
  CHECK(runtime.state().get("mod-temp", "connected") == Json(true));
  runtime.stop();
  io.run_for(20ms);
}
