// Driver plugins: the example .so is loaded with dlopen and runs against a loopback device;
// a plugin that claims another ABI is refused with a message that says what to do.
#include "main/device_links.hpp"
#include "runtime/runtime.hpp"
#include "runtime/sdk/plugin_abi.hpp"
#include "tests/support/tcp_test_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace roomd;
using namespace std::chrono_literals;

TEST_CASE("a plugin driver is loaded by path and runs", "[plugin]") {
  asio::io_context io;
  test::TempDir dir;
  test::TcpTestServer echo(io, /*echo=*/true);
  DriverRegistry registry;
  std::string error;
  const auto* driver = registry.resolve(ROOMD_EXAMPLE_PLUGIN, {}, error);
  REQUIRE(error.empty());
  REQUIRE(driver != nullptr);
  CHECK(driver->info.name == "example_echo");
  CHECK(driver->origin == std::filesystem::weakly_canonical(ROOMD_EXAMPLE_PLUGIN).string());
  REQUIRE(driver->info.methods.size() == 1);
  CHECK(driver->info.methods[0].signature() == "echo(text: string)");

  Config config;
  config.box = {"box", "box", dir.path()};
  config.log_level = LogLevel::fatal;
  ModuleConfig module{"mod-echo", ROOMD_EXAMPLE_PLUGIN, "Echo", {}, {{"prefix", ">"}},
                      {},         "modules[0]"};
  TcpTransportConfig tcp;
  tcp.host = "127.0.0.1";
  tcp.port = echo.port();
  module.transport = tcp;
  config.modules = {module};
  REQUIRE(check_modules(config, registry).empty());
  Runtime runtime(io, config, registry, make_device_links());
  runtime.logs().set_stderr(false);
  runtime.start();
  auto* echo_module = runtime.modules().module("mod-echo");
  REQUIRE(test::run_until(
      io, [&] { return runtime.state().get("mod-echo", "connected") == Json(true); }));
  bool done = false;
  Json value;
  echo_module->exec("echo", Json::array({"hi"}), [&](std::exception_ptr e, Json v) {
    done = !e;
    value = v;
  });
  REQUIRE(test::run_until(io, [&] { return done; }));
  CHECK(value == ">hi");
  CHECK(echo.received() == ">hi\n");
  CHECK(runtime.state().get("mod-echo", "last") == Json(">hi"));
  runtime.stop();
  io.run_for(20ms);
}

TEST_CASE("a plugin is found by name on the driver path", "[plugin]") {
  DriverRegistry registry;
  std::string error;
  auto dir = std::filesystem::path(ROOMD_EXAMPLE_PLUGIN).parent_path().string();
  const auto* driver = registry.resolve("roomd_example", {dir}, error);
  REQUIRE(driver != nullptr);
  CHECK(driver->info.name == "example_echo");
  CHECK(registry.resolve("roomd_example", {dir}, error) == driver);  // loaded once
}

TEST_CASE("a plugin built for another ABI is refused", "[plugin]") {
  DriverRegistry registry;
  std::string error;
  CHECK(registry.resolve(ROOMD_BAD_ABI_PLUGIN, {}, error) == nullptr);
  auto path = std::filesystem::weakly_canonical(ROOMD_BAD_ABI_PLUGIN).string();
  CHECK(error == "driver plugin " + path + ": built for driver ABI 999 (roomd " + kVersion +
                     "), this roomd " + kVersion + " needs ABI " +
                     std::to_string(kDriverAbiVersion) +
                     "; rebuild the plugin against this roomd's headers");
  CHECK(registry.find("example_echo") == nullptr);
}

TEST_CASE("unknown drivers and missing plugins are clear errors", "[plugin]") {
  DriverRegistry registry;
  register_builtin_drivers(registry);
  std::string error;
  CHECK(registry.resolve("projektor", {}, error) == nullptr);
  CHECK(error ==
        "unknown driver \"projektor\" (built-in: extron_sis, modbus_sensor, pjlink, room, "
        "samsung_mdc, senseair_s8, sony_bravia, xy_md02; no driver_path set for plugins)");
  CHECK(registry.resolve("/nowhere/libx.so", {}, error) == nullptr);
  CHECK(error == "driver plugin /nowhere/libx.so does not exist");
}
