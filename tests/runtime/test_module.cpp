// A module at run time: methods with typed arguments, status, failure and restart of a
// driver that throws, timers cancelled on unload, logic drivers calling their peers.
#include "runtime/runtime.hpp"
#include "tests/support/tcp_test_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

#include <boost/asio/co_spawn.hpp>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

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
    runtime = std::make_unique<Runtime>(io, config, registry);
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

  // Runs exec to completion; returns the value or the error text.
  std::pair<Json, std::string> exec(Module& module, std::string method, Json args) {
    bool done = false;
    std::pair<Json, std::string> out;
    module.exec(method, args, [&](std::exception_ptr e, Json value) {
      done = true;
      out.first = value;
      if (e) try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          out.second = ex.what();
        }
    });
    REQUIRE(test::run_until(io, [&] { return done; }));
    return out;
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
  REQUIRE(test::run_until(box.io, [&] { return box.connected(); }));
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
  REQUIRE(test::run_until(box.io, [&] { return box.connected(); }));
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
    Runtime runtime(io, make_config(), registry);
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
  Runtime runtime(io, make_config(), registry);
  runtime.logs().set_stderr(false);
  runtime.start();
  CHECK(runtime.state().get("mod-room", "scene") == Json({{"name", "presentation"}, {"level", 3}}));
  CHECK(runtime.logs().persistent_level("mod-room") == LogLevel::debug);
  runtime.stop();
  io.run_for(20ms);
}

TEST_CASE("a byte driver runs over a serial port as well as TCP", "[module][serial]") {
  int master = -1;
  int slave = -1;
  char name[128];
  REQUIRE(openpty(&master, &slave, name, nullptr, nullptr) == 0);
  fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  asio::io_context io;
  test::TempDir dir;
  DriverRegistry registry;
  registry.add(make_registration<FakeDevice>());
  Config config;
  config.box = {"box", "box", dir.path()};
  config.log_level = LogLevel::fatal;
  ModuleConfig display{"mod-display", "fake", "Display", {}, Json::object(), {}, "modules[0]"};
  SerialTransportConfig serial;
  serial.port.path = name;
  serial.line.baud = 19200;
  display.transport = serial;
  config.modules = {display};
  REQUIRE(check_modules(config, registry).empty());
  Runtime runtime(io, config, registry);
  runtime.logs().set_stderr(false);
  runtime.start();
  auto& module = *runtime.modules().module("mod-display");
  REQUIRE(test::run_until(
      io, [&] { return runtime.state().get("mod-display", "connected") == Json(true); }));
  bool done = false;
  Json value;
  module.exec("say", Json::array({"hello"}), [&](std::exception_ptr e, Json v) {
    done = !e;
    value = v;
  });
  std::string wire;
  REQUIRE(test::run_until(io, [&] {
    char buffer[64];
    auto n = ::read(master, buffer, sizeof buffer);
    if (n > 0) wire.append(buffer, static_cast<std::size_t>(n));
    return wire == "hello\n";
  }));
  REQUIRE(::write(master, "world\n", 6) == 6);
  REQUIRE(test::run_until(io, [&] { return done; }));
  CHECK(value == "world");
  runtime.stop();
  io.run_for(20ms);
  close(master);
  close(slave);
}
