// The room driver inside a real runtime: fake displays and a fake switcher that record
// every call, and the real PJLink driver against its simulator. Power, present with and
// without an output, volume and mute, status, a failing device, an offline projector, bad
// sources and bad settings.
#include "drivers/pjlink/pjlink_simulator.hpp"
#include "drivers/room/room.hpp"
#include "main/device_links.hpp"
#include "runtime/runtime.hpp"
#include "tests/drivers/room/fake_devices.hpp"
#include "tests/support/exec.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace roomd;
using namespace std::chrono_literals;
using test::calls_to;

namespace {

Json default_room_settings() {
  return Json::parse(R"({
    "sources": {
      "laptop": { "switcher_input": 1,
                  "inputs": { "Display_1": "hdmi1", "Display_2": "hdmi2", "Projector_1": "digital1" } },
      "pc": { "switcher_input": 2, "inputs": { "Display_1": "hdmi2" } }
    },
    "outputs": { "Display_1": 1, "Display_2": 2, "Projector_1": 3 }
  })");
}

struct Options {
  bool switcher = true;
  bool projector = false;  // the real PJLink driver against its simulator
  bool display2_fails = false;
  Json room_settings = default_room_settings();
};

// The built-in drivers and the fake devices a room drives.
void add_drivers(DriverRegistry& registry) {
  register_builtin_drivers(registry);
  registry.add(make_registration<test::FakeDisplay>());
  registry.add(make_registration<test::FakeSwitcher>());
}

// A box with no modules yet that keeps its state in `state_dir` and logs only what is fatal.
Config box_config(const std::string& state_dir) {
  Config config;
  config.box.id = "box-test";
  config.box.state_dir = state_dir;
  config.log_level = LogLevel::fatal;
  return config;
}

struct RoomBox {
  asio::io_context io;
  test::TempDir dir;
  std::unique_ptr<pjlink::PjlinkSimulator> simulator;
  DriverRegistry registry;
  std::unique_ptr<Runtime> runtime;

  explicit RoomBox(const Options& options = {}) {
    test::g_calls.clear();
    add_drivers(registry);
    auto config = box_config(dir.path());
    auto module = [&](std::string id, std::string driver, std::string name, Json settings) {
      auto path = "modules[" + std::to_string(config.modules.size()) + "]";
      config.modules.push_back(
          {std::move(id), std::move(driver), std::move(name), {}, std::move(settings), {}, path});
    };
    module("mod-room", "room", "System", options.room_settings);
    module("mod-disp1", "fake_display", "Display", Json::object());
    module("mod-disp2", "fake_display", "Display", Json{{"fail", options.display2_fails}});
    if (options.switcher) module("mod-switcher", "fake_switcher", "Switcher", Json::object());
    if (options.projector) {
      pjlink::SimulatorOptions sim;
      sim.port = 0;
      sim.idle_timeout = 0ms;
      sim.warmup = 20ms;
      sim.cooldown = 20ms;
      simulator = std::make_unique<pjlink::PjlinkSimulator>(io.get_executor(), sim);
      module("mod-proj", "pjlink", "Projector",
             Json{{"poll_every", "100ms"}, {"timeout", "300ms"}});
      TcpTransportConfig tcp;
      tcp.host = "127.0.0.1";
      tcp.port = simulator->start();
      tcp.backoff_min = 20ms;
      tcp.backoff_max = 100ms;
      config.modules.back().transport = tcp;
    }
    SystemConfig system{"sys-1", "Room 101", {}};
    for (const auto& m : config.modules) system.modules.push_back(m.id);
    config.systems = {system};
    auto errors = check_modules(config, registry);
    INFO((errors.empty() ? std::string() : errors.front().text()));
    REQUIRE(errors.empty());

    runtime = std::make_unique<Runtime>(io, config, registry, make_device_links());
    runtime->logs().set_stderr(false);
    runtime->start();
  }

  ~RoomBox() {
    runtime->stop();
    io.run_for(50ms);
  }

  Module& room() { return *runtime->modules().module("mod-room"); }
  Json state(const char* module, const char* name) {
    return runtime->state().get(module, name).value_or(Json(nullptr));
  }
  Json room_state(const char* name) { return state("mod-room", name); }

  // Every peer the room knows of is connected, as the room itself sees it.
  bool all_connected() {
    auto devices = room_state("devices");
    if (!devices.is_object() || devices.empty()) return false;
    for (const auto& [key, device] : devices.items())
      if (device.at("connected") != true) return false;
    return true;
  }
  void require_ready() {
    REQUIRE(test::run_until(io, [&] { return all_connected(); }));
  }

  std::pair<Json, std::string> exec(const std::string& method, Json args) {
    return test::exec_and_wait(io, room(), method, std::move(args));
  }
};

std::vector<std::string> ok_of(const Json& result) {
  std::vector<std::string> out;
  for (const auto& key : result.at("ok")) out.push_back(key.get<std::string>());
  std::sort(out.begin(), out.end());
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("peers lists the other modules of a module's systems once each", "[room][peers]") {
  asio::io_context io;
  test::TempDir dir;
  DriverRegistry registry;
  add_drivers(registry);
  auto config = box_config(dir.path());
  config.modules = {
      {"mod-room", "room", "System", {}, Json::object(), {}, "modules[0]"},
      {"mod-a", "fake_display", "Display", {}, Json::object(), {}, "modules[1]"},
      {"mod-b", "fake_display", "Display", {}, Json::object(), {}, "modules[2]"},
      {"mod-sw", "fake_switcher", "Switcher", {}, Json::object(), {}, "modules[3]"},
      {"mod-c", "fake_display", "Display", {}, Json::object(), {}, "modules[4]"},
      {"mod-far", "fake_display", "Display", {}, Json::object(), {}, "modules[5]"},
  };
  // sys-2's Display_1 (mod-c) is hidden behind sys-1's, as call() would reach mod-a;
  // mod-far shares no system with the room.
  config.systems = {{"sys-1", "One", {"mod-room", "mod-a", "mod-sw", "mod-b"}},
                    {"sys-2", "Two", {"mod-c", "mod-room"}},
                    {"sys-3", "Three", {"mod-far"}}};
  REQUIRE(check_modules(config, registry).empty());
  Runtime runtime(io, config, registry, make_device_links());
  runtime.logs().set_stderr(false);

  auto peers = runtime.modules().module("mod-room")->peers();
  REQUIRE(peers.size() == 3);
  CHECK(peers[0].name == "Display");
  CHECK(peers[0].index == 1);
  CHECK(peers[0].module_id == "mod-a");
  CHECK(peers[0].driver == "fake_display");
  CHECK(peers[0].generic_name == "Display");
  CHECK(peers[1].module_id == "mod-sw");
  CHECK(peers[1].name == "Switcher");
  CHECK(peers[1].generic_name == "Switcher");
  CHECK(peers[2].module_id == "mod-b");
  CHECK(peers[2].index == 2);
  CHECK(runtime.modules().module("mod-far")->peers().empty());
  auto of_c = runtime.modules().module("mod-c")->peers();
  REQUIRE(of_c.size() == 1);
  CHECK(of_c[0].module_id == "mod-room");
  CHECK(of_c[0].driver == "room");
  CHECK(of_c[0].generic_name == "System");
}

TEST_CASE("room status starts off and lists its devices", "[room]") {
  RoomBox box;
  box.require_ready();
  CHECK(box.room_state("state") == "off");
  CHECK(box.room_state("active_source") == nullptr);
  auto devices = box.room_state("devices");
  CHECK(devices.size() == 3);
  CHECK(devices.at("Display_1") ==
        Json({{"connected", true}, {"module", "mod-disp1"}, {"driver", "fake_display"}}));
  CHECK(devices.at("Display_2").at("module") == "mod-disp2");
  CHECK(devices.at("Switcher_1").at("module") == "mod-switcher");
}

TEST_CASE("room status lists its sources and outputs for panels", "[room][sources]") {
  RoomBox box;
  box.require_ready();
  CHECK(box.room_state("sources") == Json::array({"laptop", "pc"}));
  CHECK(box.room_state("outputs") ==
        Json({{"Display_1", 1}, {"Display_2", 2}, {"Projector_1", 3}}));
}

TEST_CASE("room power turns every display on and off", "[room]") {
  RoomBox box;
  box.require_ready();
  auto [on, error] = box.exec("power", Json::array({true}));
  REQUIRE(error.empty());
  CHECK(ok_of(on) == Strings{"Display_1", "Display_2"});
  CHECK(on.at("failed") == Json::object());
  CHECK(calls_to("mod-disp1") == Strings{"power(true)"});
  CHECK(calls_to("mod-disp2") == Strings{"power(true)"});
  CHECK(calls_to("mod-switcher").empty());
  CHECK(box.state("mod-disp1", "power") == true);
  CHECK(box.room_state("state") == "on");

  auto [off, off_error] = box.exec("power", Json{{"on", false}});
  REQUIRE(off_error.empty());
  CHECK(ok_of(off) == Strings{"Display_1", "Display_2"});
  CHECK(box.state("mod-disp2", "power") == false);
  CHECK(box.room_state("state") == "off");
}

TEST_CASE("present without an output routes every display", "[room]") {
  RoomBox box;
  box.require_ready();
  auto [result, error] = box.exec("present", Json::array({"laptop"}));
  REQUIRE(error.empty());
  CHECK(ok_of(result) == Strings{"Display_1", "Display_2", "Switcher_1"});
  CHECK(calls_to("mod-disp1") == Strings{"power(true)", "switch_to(hdmi1)"});
  CHECK(calls_to("mod-disp2") == Strings{"power(true)", "switch_to(hdmi2)"});
  CHECK(calls_to("mod-switcher") == Strings{"tie(1, 1, all)", "tie(1, 2, all)"});
  CHECK(box.state("mod-switcher", "ties") == Json({{"1", 1}, {"2", 1}}));
  CHECK(box.room_state("state") == "presenting");
  CHECK(box.room_state("active_source") == "laptop");
  CHECK(box.room_state("routes") == Json({{"Display_1", "laptop"}, {"Display_2", "laptop"}}));

  SECTION("power off ends the presentation") {
    auto [off, off_error] = box.exec("power", Json::array({false}));
    REQUIRE(off_error.empty());
    CHECK(box.room_state("state") == "off");
    CHECK(box.room_state("active_source") == nullptr);
    CHECK(box.room_state("routes") == Json::object());
  }
}

TEST_CASE("present with an output routes only that display", "[room]") {
  RoomBox box;
  box.require_ready();
  auto [result, error] = box.exec("present", Json{{"source", "pc"}, {"output", "Display_1"}});
  REQUIRE(error.empty());
  CHECK(ok_of(result) == Strings{"Display_1", "Switcher_1"});
  CHECK(calls_to("mod-disp1") == Strings{"power(true)", "switch_to(hdmi2)"});
  CHECK(calls_to("mod-disp2").empty());
  CHECK(calls_to("mod-switcher") == Strings{"tie(2, 1, all)"});
  CHECK(box.room_state("active_source") == "pc");
  CHECK(box.room_state("routes") == Json({{"Display_1", "pc"}}));

  // A display with no input for the source is still powered and routed.
  test::g_calls.clear();
  auto [second, second_error] = box.exec("present", Json::array({"pc", "Display_2"}));
  REQUIRE(second_error.empty());
  CHECK(calls_to("mod-disp2") == Strings{"power(true)"});
  CHECK(calls_to("mod-switcher") == Strings{"tie(2, 2, all)"});
  CHECK(box.room_state("routes") == Json({{"Display_1", "pc"}, {"Display_2", "pc"}}));
}

TEST_CASE("present names the known sources and outputs when given a wrong one", "[room]") {
  RoomBox box;
  box.require_ready();
  auto [value, error] = box.exec("present", Json::array({"dvd"}));
  CHECK_THAT(error, Catch::Contains("unknown source \"dvd\"") && Catch::Contains("mod-room") &&
                        Catch::Contains("laptop, pc"));
  auto [v2, output_error] = box.exec("present", Json::array({"laptop", "Display_9"}));
  CHECK_THAT(output_error, Catch::Contains("unknown output \"Display_9\"") &&
                               Catch::Contains("Display_1, Display_2"));
  CHECK(test::g_calls.empty());
  CHECK(box.room_state("state") == "off");
}

TEST_CASE("room volume and mute go to the switcher when there is one", "[room]") {
  RoomBox box;
  box.require_ready();
  auto [volume, error] = box.exec("volume", Json::array({40}));
  REQUIRE(error.empty());
  CHECK(ok_of(volume) == Strings{"Switcher_1"});
  auto [muted, mute_error] = box.exec("mute", Json::array({true}));
  REQUIRE(mute_error.empty());
  CHECK(calls_to("mod-switcher") == Strings{"volume(40)", "mute(true)"});
  CHECK(calls_to("mod-disp1").empty());
  CHECK(box.room_state("volume") == 40);
  CHECK(box.room_state("mute") == true);

  auto [bad, bad_error] = box.exec("volume", Json::array({150}));
  CHECK_THAT(bad_error, Catch::Contains("argument 'level' must be from 0 to 100, got 150"));
  CHECK(calls_to("mod-switcher") == Strings{"volume(40)", "mute(true)"});
}

TEST_CASE("room volume and mute are the switcher's as it reports them, null until known",
          "[room]") {
  RoomBox box;
  box.require_ready();
  // Present and null: a panel bound to them hears at once that they are unknown.
  CHECK(box.runtime->state().get("mod-room", "volume") == Json(nullptr));
  CHECK(box.runtime->state().get("mod-room", "mute") == Json(nullptr));
  box.runtime->state().set("mod-switcher", "volume", 25);
  box.runtime->state().set("mod-switcher", "mute", true);
  CHECK(test::run_until(box.io, [&] { return box.room_state("volume") == 25; }));
  CHECK(test::run_until(box.io, [&] { return box.room_state("mute") == true; }));
  CHECK(test::g_calls.empty());
}

TEST_CASE("room volume and mute go to the displays without a switcher", "[room]") {
  Options options;
  options.switcher = false;
  RoomBox box(options);
  box.require_ready();
  auto [volume, error] = box.exec("volume", Json{{"level", 25}});
  REQUIRE(error.empty());
  CHECK(ok_of(volume) == Strings{"Display_1", "Display_2"});
  auto [muted, mute_error] = box.exec("mute", Json::array());  // on defaults to true
  REQUIRE(mute_error.empty());
  CHECK(calls_to("mod-disp1") == Strings{"volume(25)", "mute(true)"});
  CHECK(calls_to("mod-disp2") == Strings{"volume(25)", "mute(true)"});
  CHECK(box.state("mod-disp2", "volume") == 25);

  // Present still works without a switcher: only the displays act.
  test::g_calls.clear();
  auto [present, present_error] = box.exec("present", Json::array({"laptop"}));
  REQUIRE(present_error.empty());
  CHECK(ok_of(present) == Strings{"Display_1", "Display_2"});
}

TEST_CASE("one failing display: the others act and the result names it", "[room]") {
  Options options;
  options.display2_fails = true;
  RoomBox box(options);
  box.require_ready();
  auto [result, error] = box.exec("present", Json::array({"laptop"}));
  REQUIRE(error.empty());
  CHECK(ok_of(result) == Strings{"Display_1", "Switcher_1"});
  REQUIRE(result.at("failed").contains("Display_2"));
  CHECK_THAT(result.at("failed").at("Display_2").get<std::string>(),
             Catch::StartsWith("power: ") && Catch::Contains("mod-disp2") &&
                 Catch::Contains("did not answer"));
  CHECK(calls_to("mod-disp1") == Strings{"power(true)", "switch_to(hdmi1)"});
  CHECK(box.room_state("routes") == Json({{"Display_1", "laptop"}}));

  SECTION("every device failing is an error naming each of them") {
    auto [v, fail_error] = test::exec_and_wait(box.io, *box.runtime->modules().module("mod-disp1"),
                                               "set_fail", Json::array({true}));
    REQUIRE(fail_error.empty());
    auto [power, power_error] = box.exec("power", Json::array({false}));
    CHECK_THAT(power_error, Catch::Contains("mod-room power(false): every device failed") &&
                                Catch::Contains("Display_1: power: mod-disp1") &&
                                Catch::Contains("Display_2: power: mod-disp2"));
    CHECK(box.room_state("state") == "presenting");  // nothing happened
  }
}

TEST_CASE("a real projector going offline: the others act, the result names it", "[room][pjlink]") {
  Options options;
  options.projector = true;
  RoomBox box(options);
  box.require_ready();
  CHECK(box.room_state("devices").at("Projector_1").at("module") == "mod-proj");

  auto [on, error] = box.exec("present", Json::array({"laptop"}));
  REQUIRE(error.empty());
  CHECK(ok_of(on) == Strings{"Display_1", "Display_2", "Projector_1", "Switcher_1"});
  auto received = box.simulator->received();
  CHECK(std::count(received.begin(), received.end(), "%1POWR 1") == 1);
  CHECK(std::count(received.begin(), received.end(), "%1INPT 31") == 1);
  CHECK(calls_to("mod-switcher") == Strings{"tie(1, 1, all)", "tie(1, 2, all)", "tie(1, 3, all)"});

  box.simulator->stop();
  REQUIRE(test::run_until(box.io, [&] {
    return box.room_state("devices").at("Projector_1").at("connected") == false;
  }));
  test::g_calls.clear();
  auto [result, offline_error] = box.exec("present", Json::array({"pc"}));
  REQUIRE(offline_error.empty());
  CHECK(ok_of(result) == Strings{"Display_1", "Display_2", "Switcher_1"});
  REQUIRE(result.at("failed").contains("Projector_1"));
  CHECK_THAT(result.at("failed").at("Projector_1").get<std::string>(),
             Catch::StartsWith("offline: mod-proj is not connected"));
  CHECK(calls_to("mod-disp1") == Strings{"power(true)", "switch_to(hdmi2)"});
  CHECK(calls_to("mod-switcher") == Strings{"tie(2, 1, all)", "tie(2, 2, all)", "tie(2, 3, all)"});
  CHECK(box.room_state("routes").at("Display_1") == "pc");
  CHECK(box.room_state("routes").at("Projector_1") == "laptop");

  // Back on the network, the room sees it and drives it again.
  box.simulator->start();
  box.require_ready();
  auto [back, back_error] = box.exec("power", Json::array({true}));
  REQUIRE(back_error.empty());
  CHECK(ok_of(back) == Strings{"Display_1", "Display_2", "Projector_1"});
}

TEST_CASE("mute reaches a PJLink projector by named arguments", "[room][pjlink]") {
  Options options;
  options.projector = true;
  options.switcher = false;
  RoomBox box(options);
  box.require_ready();
  // In standby the projector refuses: the device's own error reaches the result.
  auto [standby, standby_error] = box.exec("mute", Json::array({true}));
  REQUIRE(standby_error.empty());
  CHECK(ok_of(standby) == Strings{"Display_1", "Display_2"});
  CHECK_THAT(standby.at("failed").at("Projector_1").get<std::string>(),
             Catch::StartsWith("mute: mod-proj") && Catch::Contains("ERR3"));

  auto [on, on_error] = box.exec("power", Json::array({true}));
  REQUIRE(on_error.empty());
  REQUIRE(test::run_until(box.io, [&] { return box.state("mod-proj", "power_state") == "on"; }));
  auto [muted, error] = box.exec("mute", Json::array({true}));
  REQUIRE(error.empty());
  INFO(muted.dump());
  CHECK(ok_of(muted) == Strings{"Display_1", "Display_2", "Projector_1"});
  CHECK(box.simulator->video_muted());
  CHECK(box.simulator->audio_muted());
}

TEST_CASE("with skip_offline off, an offline device fails after call_timeout", "[room][pjlink]") {
  Options options;
  options.projector = true;
  options.room_settings["skip_offline"] = false;
  options.room_settings["call_timeout"] = "300ms";
  RoomBox box(options);
  box.require_ready();
  box.simulator->stop();
  REQUIRE(test::run_until(box.io, [&] {
    return box.room_state("devices").at("Projector_1").at("connected") == false;
  }));
  auto [result, error] = box.exec("power", Json::array({true}));
  REQUIRE(error.empty());
  CHECK(ok_of(result) == Strings{"Display_1", "Display_2"});
  CHECK_THAT(result.at("failed").at("Projector_1").get<std::string>(),
             Catch::StartsWith("no answer within 300ms"));
}

TEST_CASE("bad room settings are config errors with their settings path", "[room][settings]") {
  DriverRegistry registry;
  register_builtin_drivers(registry);
  auto check = [&](Json settings) {
    Config config;
    config.box.id = "box-test";
    config.modules = {{"mod-room", "room", "System", {}, std::move(settings), {}, "modules[3]"}};
    config.systems = {{"sys-1", "Room", {"mod-room"}}};
    std::vector<std::string> out;
    for (const auto& e : check_modules(config, registry)) out.push_back(e.text());
    return out;
  };
  CHECK(check(default_room_settings()).empty());
  CHECK(check(Json::object()).empty());

  auto errors = check(Json::parse(R"({
    "sources": {
      "laptop": { "switcher_input": "one", "inputs": { "Display": "hdmi1", "Display_2": 3 } },
      "pc": { "switcher": 2 },
      "dvd": { }
    },
    "outputs": { "Display_1": 0, "Screen": 2 }
  })"));
  auto has = [&](const std::string& text) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const std::string& e) { return e.find(text) != std::string::npos; });
  };
  INFO(Catch::Detail::stringify(errors));
  CHECK(
      has("modules[3].settings.sources.laptop.switcher_input: expected the switcher input "
          "number (1 or more), got \"one\""));
  CHECK(has("modules[3].settings.sources.laptop.inputs.Display: not a display name"));
  CHECK(
      has("modules[3].settings.sources.laptop.inputs.Display_2: expected the display's input "
          "name"));
  CHECK(has("modules[3].settings.sources.pc.switcher: unknown key"));
  CHECK(has("modules[3].settings.sources.dvd: the source routes nothing"));
  CHECK(has("modules[3].settings.outputs.Display_1: expected the switcher output number"));
  CHECK(has("modules[3].settings.outputs.Screen: not a display name"));
  CHECK(errors.size() == 7);

  auto wrong_type = check(Json{{"sources", Json::array()}, {"skip_offline", "yes"}});
  INFO(Catch::Detail::stringify(wrong_type));
  CHECK(std::find(wrong_type.begin(), wrong_type.end(),
                  "modules[3].settings.sources: expected an object, got []") != wrong_type.end());
  CHECK(std::find(wrong_type.begin(), wrong_type.end(),
                  "modules[3].settings.skip_offline: expected a boolean, got \"yes\"") !=
        wrong_type.end());
}
