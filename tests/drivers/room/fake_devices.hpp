// Test-only logic drivers standing in for a display and a switcher: they record every call
// (module id and arguments) and set the status a real driver would. A display can be told
// to fail, to show what the room does when one device does not answer.
#pragma once

#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/driver_info.hpp"
#include "runtime/sdk/methods.hpp"

#include <string>
#include <vector>

namespace roomd::test {

// "mod-disp1 power(true)", in the order the calls arrived.
inline std::vector<std::string> g_calls;

inline std::vector<std::string> calls_to(const std::string& module_id) {
  std::vector<std::string> out;
  for (const auto& call : g_calls)
    if (call.rfind(module_id + " ", 0) == 0) out.push_back(call.substr(module_id.size() + 1));
  return out;
}

class FakeDisplay final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "fake_display";
    info.generic_name = "Display";
    info.settings = {{"fail", "boolean", false, "every method fails", false}};
    return info;
  }
  static void expose(Methods<FakeDisplay>& m) {
    m.method("power", &FakeDisplay::power, {"on"});
    m.method("switch_to", &FakeDisplay::switch_to, {"input"});
    m.method("volume", &FakeDisplay::volume, {"level"});
    m.method("mute", &FakeDisplay::mute, {"on"});
    m.method("set_fail", &FakeDisplay::set_fail, {"on"});
  }
  Task<void> on_load() override {
    fail_ = setting<bool>("fail");
    co_return;
  }
  Task<bool> power(bool on) {
    record("power(" + std::string(on ? "true" : "false") + ")");
    set_status("power", on);
    co_return on;
  }
  Task<std::string> switch_to(std::string input) {
    record("switch_to(" + input + ")");
    set_status("input", input);
    co_return input;
  }
  Task<int> volume(int level) {
    record("volume(" + std::to_string(level) + ")");
    set_status("volume", level);
    co_return level;
  }
  Task<bool> mute(bool on) {
    record("mute(" + std::string(on ? "true" : "false") + ")");
    set_status("mute", on);
    co_return on;
  }
  Task<bool> set_fail(bool on) {
    fail_ = on;
    co_return on;
  }

 private:
  void record(const std::string& call) {
    if (fail_) throw RequestFailed(id() + ": the display did not answer (test failure)");
    g_calls.push_back(id() + " " + call);
  }
  bool fail_ = false;
};

class FakeSwitcher final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "fake_switcher";
    info.generic_name = "Switcher";
    return info;
  }
  static void expose(Methods<FakeSwitcher>& m) {
    m.method("tie", &FakeSwitcher::tie, {"input", "output", Param("layer", "all")});
    m.method("switch_to", &FakeSwitcher::switch_to, {"input"});
    m.method("volume", &FakeSwitcher::volume, {"level"});
    m.method("mute", &FakeSwitcher::mute, {"on"});
  }
  Task<Json> tie(int input, int output, std::string layer) {
    g_calls.push_back(id() + " tie(" + std::to_string(input) + ", " + std::to_string(output) +
                      ", " + layer + ")");
    auto ties = status("ties").is_object() ? status("ties") : Json::object();
    ties[std::to_string(output)] = input;
    set_status("ties", ties);
    co_return ties;
  }
  Task<int> switch_to(int input) {
    g_calls.push_back(id() + " switch_to(" + std::to_string(input) + ")");
    co_return input;
  }
  Task<int> volume(int level) {
    g_calls.push_back(id() + " volume(" + std::to_string(level) + ")");
    set_status("volume", level);
    co_return level;
  }
  Task<bool> mute(bool on) {
    g_calls.push_back(id() + " mute(" + std::string(on ? "true" : "false") + ")");
    set_status("mute", on);
    co_return on;
  }
};

}  // namespace roomd::test
