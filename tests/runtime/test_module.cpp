// A module at run time: methods with typed arguments, status, failure and restart of a
// driver that throws, timers cancelled on unload, logic drivers calling their peers.
#include "main/device_links.hpp"
#include "runtime/runtime.hpp"
#include "tests/support/exec.hpp"
#include "tests/support/tcp_test_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

#include <boost/asio/co_spawn.hpp>
#include <catch2/catch.hpp>

#include <fcntl.h>

#include <pty.h>
#include <unistd.h>
#include <filesystem>

using namespace roomd;
using namespace std::chrono_literals;

namespace {

int g_ticks = 0;

class FakeDevice final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "fake";
    info.generic_name = "Display";
    info.transport = TransportKind::tcp;
    info.tokenizer = DelimiterSpec{{"\n"}};
    info.max_frame = 64;
    info.settings = {{"tick", "duration", "20ms", "", false}};
    return info;
  }
  static void expose(Methods<FakeDevice>& m) {
    m.method("volume", &FakeDevice::volume, {"level", Param("ramp", false)});
    m.method("say", &FakeDevice::say, {"text"});
  }
  Task<int> volume(int level, bool ramp) {
    set_status("volume", level);
    set_status("ramp", ramp);
    co_return level;
  }
  Task<std::string> say(std::string text) {
    auto reply = co_await send(text + "\n", {.timeout = 500ms, .retries = 0});
    co_return reply.get<std::string>();
  }
  Task<void> on_load() override {
    every(setting_duration("tick"), []() -> Task<void> {
      ++g_ticks;
      co_return;
    });
    co_return;
  }
  Received received(std::string_view frame, Command* pending) override {
    if (frame == "boom") throw std::runtime_error("driver bug on purpose");
    set_status("last", std::string(frame));
    return pending ? Received::success : Received::ignore;
  }
};

class FakeRoom final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "fake_room";
    info.generic_name = "System";
    return info;
  }
  static void expose(Methods<FakeRoom>& m) { m.method("loud", &FakeRoom::loud); }
  Task<Json> loud() {
    Json args = Json::array();
    args.push_back(99);
    auto result = co_await call("Display", 1, "volume", std::move(args));
    co_return result;
  }
};

struct Box {
  asio::io_context io;
  test::TempDir dir;
  test::TcpTestServer device{io};
  DriverRegistry registry;
  std::unique_ptr<Runtime> runtime;

  Box() {
    registry.add(make_registration<FakeDevice>());
    registry.add(make_registration<FakeRoom>());
    Config config;
    config.box.id = "box-test";
    config.box.state_dir = dir.path();
    config.log_level = LogLevel::fatal;
    ModuleConfig display{"mod-display", "fake", "Display", {}, Json::object(), {}, "modules[0]"};
    TcpTransportConfig tcp;
    tcp.host = "127.0.0.1";
    tcp.port = device.port();
    tcp.backoff_min = 20ms;
    tcp.backoff_max = 50ms;
    display.transport = tcp;
    ModuleConfig room{"mod-room", "fake_room", "System", {}, Json::object(), {}, "modules[1]"};
    config.modules = {display, room};
    config.systems = {{"sys-1", "Room", {"mod-room", "mod-display"}}};
    REQUIRE(check_modules(config, registry).empty());
    runtime = std::make_unique<Runtime>(io, config, registry, make_device_links());
    runtime->logs().set_stderr(false);
    runtime->start();
  }
  ~Box() {
    runtime->stop();
    io.run_for(50ms);
  }

  Module& display() { return *runtime->modules().module("mod-display"); }
  Json state(const char* name) {
    return runtime->state().get("mod-display", name).value_or(Json(nullptr));
  }
  bool connected() { return state("connected") == Json(true); }
  // Connected on both ends: the device has accepted too, so what it sends reaches us.
  bool linked() { return connected() && device.connections() > 0; }

  // Runs exec to completion; returns the value or the error text.
  std::pair<Json, std::string> exec(Module& module, std::string method, Json args) {
    return test::exec_and_wait(io, module, method, std::move(args));
  }
};

}  // namespace

TEST_CASE("exec converts positional and named arguments and applies defaults", "[module]") {
  Box box;
  auto [value, error] = box.exec(box.display(), "volume", Json::array({30}));
  CHECK(error.empty());
  CHECK(value == 30);
  CHECK(box.state("volume") == 30);
  CHECK(box.state("ramp") == false);
  std::tie(value, error) = box.exec(box.display(), "volume", {{"ramp", true}, {"level", 5}});
  CHECK(value == 5);
  CHECK(box.state("ramp") == true);
}

TEST_CASE("exec errors name the method's signature", "[module]") {
  Box box;
  CHECK(box.exec(box.display(), "volume", Json::array({"loud"})).second ==
        "volume(level: integer, ramp: boolean = false): argument 'level' must be an integer, "
        "got \"loud\"");
  CHECK(box.exec(box.display(), "volume", Json::array()).second ==
        "volume(level: integer, ramp: boolean = false): missing argument 'level'");
  CHECK(box.exec(box.display(), "volume", Json::array({1, true, 3})).second ==
        "volume(level: integer, ramp: boolean = false) takes 2 arguments, got 3");
  CHECK(box.exec(box.display(), "volume", {{"lvl", 1}}).second ==
        "volume(level: integer, ramp: boolean = false) has no parameter 'lvl'");
  CHECK(box.exec(box.display(), "mute", Json::array()).second ==
        "unknown method 'mute' on mod-display (fake); methods: volume(level: integer, ramp: "
        "boolean = false), say(text: string)");
}

TEST_CASE("a device round trip through the queue, and offline failure", "[module]") {
  Box box;
  REQUIRE(test::run_until(box.io, [&] { return box.connected(); }));
  bool done = false;
  std::pair<Json, std::string> out;
  box.display().exec("say", Json::array({"hello"}), [&](std::exception_ptr e, Json v) {
    done = true;
    out.first = v;
    if (e) out.second = "error";
  });
  REQUIRE(test::run_until(box.io, [&] { return box.device.received() == "hello\n"; }));
  box.device.send("world\n");
  REQUIRE(test::run_until(box.io, [&] { return done; }));
  CHECK(out.first == "world");
  CHECK(box.state("last") == "world");

  box.device.drop_clients();
  REQUIRE(test::run_until(box.io, [&] { return !box.connected(); }));
  auto [value, error] = box.exec(box.display(), "say", Json::array({"anyone?"}));
  CHECK_THAT(error, Catch::Contains("is offline; command not sent"));
}

TEST_CASE("a driver that throws is marked failed, restarted, and the process survives",
          "[module]") {
  Box box;
  REQUIRE(test::run_until(box.io, [&] { return box.linked(); }));
  box.device.send("boom\n");
  REQUIRE(
      test::run_until(box.io, [&] { return box.display().run_state() == ModuleRunState::failed; }));
  CHECK_FALSE(box.connected());
  CHECK(box.display().restarts() == 1);
  // Restarted after the first backoff step (1 s) and connected again.
  REQUIRE(test::run_until(
      box.io, [&] { return box.connected(); }, 5s));
  CHECK(box.display().run_state() == ModuleRunState::running);
}

TEST_CASE("timers run on the module and stop when it unloads", "[module]") {
  Box box;
  g_ticks = 0;
  REQUIRE(test::run_until(box.io, [&] { return g_ticks >= 3; }));
  box.display().stop();
  box.io.run_for(30ms);
  int after_stop = g_ticks;
  box.io.run_for(100ms);
  CHECK(g_ticks == after_stop);
}

TEST_CASE("a logic driver calls a peer in its system by name and index", "[module]") {
  Box box;
  auto* room = box.runtime->modules().find("sys-1", "System", 1);
  REQUIRE(room != nullptr);
  auto [value, error] = box.exec(*room, "loud", Json::array());
  CHECK(error.empty());
  CHECK(value == 99);
  CHECK(box.state("volume") == 99);
  CHECK(box.runtime->state().get("mod-room", "connected") == Json(true));
}

TEST_CASE("an oversize frame is dropped and the next frame still parses", "[module]") {
  Box box;
  REQUIRE(test::run_until(box.io, [&] { return box.linked(); }));
  box.device.send(std::string(100, 'x'));  // max_frame is 64, no delimiter
  box.device.send("\nsmall\n");
  REQUIRE(test::run_until(box.io, [&] { return box.state("last") == "small"; }));
}

TEST_CASE("status and log levels survive a restart of the runtime", "[module]") {
  test::TempDir dir;
  auto make_config = [&] {
    Config config;
    config.box.id = "box-test";
    config.box.state_dir = dir.path();
    config.log_level = LogLevel::fatal;
    config.modules = {{"mod-room", "fake_room", "System", {}, Json::object(), {}, "modules[0]"}};
    return config;
  };
  DriverRegistry registry;
  registry.add(make_registration<FakeRoom>());
  {
    asio::io_context io;
    Runtime runtime(io, make_config(), registry, make_device_links());
    runtime.logs().set_stderr(false);
    runtime.start();
    REQUIRE(test::run_until(
        io, [&] { return runtime.state().get("mod-room", "connected") == Json(true); }));
    runtime.state().set("mod-room", "scene", {{"name", "presentation"}, {"level", 3}});
    CHECK(runtime.logs().set_persistent_level("mod-room", LogLevel::debug));
    runtime.stop();
    io.run_for(20ms);
  }
  asio::io_context io;
  Runtime runtime(io, make_config(), registry, make_device_links());
  runtime.logs().set_stderr(false);
  runtime.start();
  CHECK(runtime.state().get("mod-room", "scene") == Json({{"name", "presentation"}, {"level", 3}}));
  CHECK(runtime.logs().persistent_level("mod-room") == LogLevel::debug);
  runtime.stop();
  io.run_for(20ms);
}

namespace {

struct PtyPair {
  int master = -1;
  int slave = -1;
  std::string path;
  PtyPair() {
    char name[128];
    REQUIRE(openpty(&master, &slave, name, nullptr, nullptr) == 0);
    path = name;
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  }
  void unplug() {
    if (master >= 0) close(master);
    if (slave >= 0) close(slave);
    master = slave = -1;
  }
  ~PtyPair() { unplug(); }
};

}  // namespace

TEST_CASE("a byte driver runs over a serial port that vanishes and comes back",
          "[module][serial]") {
  test::TempDir dir;
  // The config names a link, as /dev/serial/by-id does; the adapter behind it changes.
  auto link = dir.path() + "/adapter";
  auto first = std::make_unique<PtyPair>();
  std::filesystem::create_symlink(first->path, link);
  asio::io_context io;
  DriverRegistry registry;
  registry.add(make_registration<FakeDevice>());
  Config config;
  config.box = {"box", "box", dir.path()};
  config.log_level = LogLevel::fatal;
  ModuleConfig display{"mod-display", "fake", "Display", {}, Json::object(), {}, "modules[0]"};
  SerialTransportConfig serial;
  serial.port.path = link;
  serial.line.baud = 19200;
  serial.backoff_min = std::chrono::milliseconds(20);
  serial.backoff_max = std::chrono::milliseconds(50);
  display.transport = serial;
  config.modules = {display};
  REQUIRE(check_modules(config, registry).empty());
  Runtime runtime(io, config, registry, make_device_links());
  runtime.logs().set_stderr(false);
  runtime.start();
  auto& module = *runtime.modules().module("mod-display");
  auto connected = [&] { return runtime.state().get("mod-display", "connected") == Json(true); };
  auto say = [&](PtyPair& pty, const std::string& text) {
    bool done = false;
    Json value;
    module.exec("say", Json::array({text}), [&](std::exception_ptr e, Json v) {
      done = !e;
      value = v;
    });
    std::string wire;
    REQUIRE(test::run_until(io, [&] {
      char buffer[64];
      auto n = ::read(pty.master, buffer, sizeof buffer);
      if (n > 0) wire.append(buffer, static_cast<std::size_t>(n));
      return wire == text + "\n";
    }));
    auto reply = "re:" + text + "\n";
    REQUIRE(::write(pty.master, reply.data(), reply.size()) == static_cast<ssize_t>(reply.size()));
    REQUIRE(test::run_until(io, [&] { return done; }));
    CHECK(value == "re:" + text);
  };
  auto open_fds = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                         std::filesystem::directory_iterator());
  };

  REQUIRE(test::run_until(io, connected));
  say(*first, "hello");
  auto fds_online = open_fds();

  first->unplug();  // the adapter is pulled: the port reads EIO
  std::filesystem::remove(link);
  REQUIRE(test::run_until(io, [&] { return !connected(); }));

  auto second = std::make_unique<PtyPair>();  // plugged in again, under another name
  std::filesystem::create_symlink(second->path, link);
  REQUIRE(test::run_until(io, connected));
  say(*second, "again");
  // The old port's descriptor was closed: same count as before, with a new pty pair open.
  CHECK(open_fds() == fds_online);
  runtime.stop();
  io.run_for(std::chrono::milliseconds(20));
}

TEST_CASE("modules are addressed by name and 1-based index within each system", "[module]") {
  asio::io_context io;
  test::TempDir dir;
  DriverRegistry registry;
  registry.add(make_registration<FakeRoom>());
  Config config;
  config.box = {"box", "box", dir.path()};
  config.log_level = LogLevel::fatal;
  auto logic = [](std::string id, std::string name, int i) {
    return ModuleConfig{std::move(id),
                        "fake_room",
                        std::move(name),
                        {},
                        Json::object(),
                        {},
                        "modules[" + std::to_string(i) + "]"};
  };
  config.modules = {logic("mod-a", "Display", 0), logic("mod-b", "Display", 1),
                    logic("mod-c", "Switcher", 2)};
  config.systems = {{"sys-1", "One", {"mod-c", "mod-b", "mod-a"}}, {"sys-2", "Two", {"mod-a"}}};
  Runtime runtime(io, config, registry, make_device_links());
  runtime.logs().set_stderr(false);
  auto& modules = runtime.modules();
  CHECK(modules.find("sys-1", "Display", 1)->module_id() == "mod-b");
  CHECK(modules.find("sys-1", "Display", 2)->module_id() == "mod-a");
  CHECK(modules.find("sys-1", "Switcher", 1)->module_id() == "mod-c");
  CHECK(modules.find("sys-1", "Display", 3) == nullptr);
  CHECK(modules.find("sys-2", "Display", 1)->module_id() == "mod-a");
  CHECK(modules.find("sys-3", "Display", 1) == nullptr);
}
