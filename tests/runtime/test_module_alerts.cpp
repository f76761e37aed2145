// Alerts raised by what happens to modules: a device module offline past its grace, a driver
// that fails, a driver's own raise_alert, error and fatal log records; each clears when its
// condition ends, and a config reload that removes a module clears what it had raised.
#include "main/device_links.hpp"
#include "runtime/runtime.hpp"
#include "tests/support/exec.hpp"
#include "tests/support/tcp_test_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

using namespace roomd;
using namespace std::chrono_literals;
using boost::asio::ip::tcp;

namespace {

class AlertingDevice final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "alerting";
    info.generic_name = "Display";
    info.transport = TransportKind::tcp;
    info.tokenizer = DelimiterSpec{{"\n"}};
    return info;
  }
  static void expose(Methods<AlertingDevice>& m) {
    m.method("alert", &AlertingDevice::alert, {"key", "on"});
    m.method("complain", &AlertingDevice::complain, {"level", "text"});
  }
  Task<bool> alert(std::string key, bool on) {
    if (on)
      raise_alert(key, AlertSeverity::high, key + " is on");
    else
      clear_alert(key);
    co_return on;
  }
  Task<bool> complain(std::string level, std::string text) {
    if (level == "fatal")
      log().fatal(text);
    else
      log().error(text);
    co_return true;
  }
  Received received(std::string_view frame, Command*) override {
    if (frame == "boom") throw std::runtime_error("driver bug on purpose");
    return Received::ignore;
  }
};

class Logic final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "logic";
    info.generic_name = "System";
    return info;
  }
  static void expose(Methods<Logic>&) {}
};

struct Box {
  asio::io_context io;
  test::TempDir dir;
  std::unique_ptr<test::TcpTestServer> device = std::make_unique<test::TcpTestServer>(io);
  std::uint16_t port = device->port();
  DriverRegistry registry;
  Config config;
  std::unique_ptr<Runtime> runtime;
  std::vector<std::string> heard;  // "+id" raised, "-id" cleared, in order
  Subscription subscription;

  Box() {
    registry.add(make_registration<AlertingDevice>());
    registry.add(make_registration<Logic>());
    config.box.id = "box-test";
    config.box.state_dir = dir.path();
    config.log_level = LogLevel::info;
    config.alert_options.offline_after = 100ms;
    config.alert_options.log_quiet = 300ms;
    ModuleConfig display{"mod-display",  "alerting", "Display",   {},
                         Json::object(), {},         "modules[0]"};
    TcpTransportConfig tcp;
    tcp.host = "127.0.0.1";
    tcp.port = port;
    tcp.backoff_min = 20ms;
    tcp.backoff_max = 50ms;
    display.transport = tcp;
    ModuleConfig room{"mod-room", "logic", "System", {}, Json::object(), {}, "modules[1]"};
    config.modules = {display, room};
    config.systems = {{"sys-1", "Room", {"mod-room", "mod-display"}}};
    REQUIRE(check_modules(config, registry).empty());
    runtime = std::make_unique<Runtime>(io, config, registry, make_device_links());
    runtime->logs().set_stderr(false);
    subscription = runtime->alerts().subscribe([this](const Alert& alert, bool raised) {
      heard.push_back((raised ? "+" : "-") + alert.id);
    });
    runtime->start();
  }
  ~Box() {
    runtime->stop();
    io.run_for(50ms);
  }

  Module& display() { return *runtime->modules().module("mod-display"); }
  bool connected() {
    return runtime->state().get("mod-display", "connected") == Json(true) &&
           device->connections() > 0;
  }
  bool active(const std::string& id) { return runtime->alerts().find(id).has_value(); }
  bool waits_for(const std::string& id, bool raised) {
    return test::run_until(io, [&] { return active(id) == raised; });
  }
  std::pair<Json, std::string> exec(std::string method, Json args) {
    return test::exec_and_wait(io, display(), method, std::move(args));
  }
  std::size_t count(const std::string& event) {
    return static_cast<std::size_t>(std::count(heard.begin(), heard.end(), event));
  }
};

}  // namespace

TEST_CASE("a device module offline past the grace raises offline/<id> and clears on reconnect",
          "[alerts][module]") {
  Box box;
  REQUIRE(test::run_until(box.io, [&] { return box.connected(); }));
  CHECK_FALSE(box.active("offline/mod-display"));

  // The device goes away for good: nothing listens on its port any more.
  box.device.reset();
  REQUIRE(box.waits_for("offline/mod-display", true));
  auto alert = *box.runtime->alerts().find("offline/mod-display");
  CHECK(alert.severity == AlertSeverity::high);
  CHECK(alert.title == "Display_1 (mod-display) offline");
  CHECK(alert.module == "mod-display");
  CHECK(alert.sys == "sys-1");

  // Back on the same port: connected again, and the alert clears.
  tcp::acceptor acceptor(box.io);
  acceptor.open(tcp::v4());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind({asio::ip::address_v4::loopback(), box.port});
  acceptor.listen();
  tcp::socket peer(box.io);
  acceptor.async_accept(peer, [](const error_code&) {});
  REQUIRE(box.waits_for("offline/mod-display", false));
  CHECK(box.runtime->state().get("mod-display", "connected") == Json(true));
  // A logic module has no device: it is never offline.
  CHECK(box.count("+offline/mod-room") == 0);
}

TEST_CASE("a failing driver raises failed/<id> until its module is up again", "[alerts][module]") {
  Box box;
  REQUIRE(test::run_until(box.io, [&] { return box.connected(); }));
  box.device->send("boom\n");
  REQUIRE(box.waits_for("failed/mod-display", true));
  auto alert = *box.runtime->alerts().find("failed/mod-display");
  CHECK(alert.severity == AlertSeverity::critical);
  CHECK(alert.title ==
        "Display_1 (mod-display) failed: driver alerting failed in "
        "received(\"boom\"): driver bug on purpose (restarting)");
  // Restarted after the first backoff step (1 s) and connected: cleared.
  REQUIRE(test::run_until(
      box.io, [&] { return !box.active("failed/mod-display"); }, 5s));
  CHECK(box.connected());
  CHECK(box.count("+failed/mod-display") == 1);
  // The failure, not a lost device, explains the gap: no offline alert on top.
  CHECK(box.count("+offline/mod-display") == 0);
}

TEST_CASE("a driver raises and clears its own alerts, and a reload removing it clears them",
          "[alerts][module][driver]") {
  Box box;
  REQUIRE(test::run_until(box.io, [&] { return box.connected(); }));
  CHECK(box.exec("alert", {"lamp", true}).second.empty());
  CHECK(box.exec("alert", {"filter", true}).second.empty());
  auto lamp = box.runtime->alerts().find("driver/mod-display/lamp");
  REQUIRE(lamp);
  CHECK(lamp->title == "Display_1 (mod-display): lamp is on");
  CHECK(lamp->severity == AlertSeverity::high);
  CHECK(lamp->sys == "sys-1");
  // Raising again while active changes nothing.
  box.exec("alert", {"lamp", true});
  CHECK(box.count("+driver/mod-display/lamp") == 1);
  box.exec("alert", {"lamp", false});
  CHECK_FALSE(box.active("driver/mod-display/lamp"));
  CHECK(box.active("driver/mod-display/filter"));

  auto next = box.config;
  next.modules.erase(next.modules.begin());
  next.systems = {{"sys-1", "Room", {"mod-room"}}};
  REQUIRE(check_modules(next, box.registry).empty());
  box.runtime->reload(next);
  CHECK_FALSE(box.active("driver/mod-display/filter"));
  // Its disconnect on the way out raises nothing either.
  box.io.run_for(300ms);
  CHECK(box.runtime->alerts().active().empty());
}

TEST_CASE("error records raise one alert per module, cleared after a quiet period",
          "[alerts][module][log]") {
  Box box;
  REQUIRE(test::run_until(box.io, [&] { return box.connected(); }));
  for (int i = 0; i < 20; ++i)
    box.exec("complain", {"error", "lamp driver confused " + std::to_string(i)});
  REQUIRE(box.waits_for("log/mod-display", true));
  auto alert = box.runtime->alerts().find("log/mod-display");
  REQUIRE(alert);
  CHECK(alert->severity == AlertSeverity::high);
  CHECK(alert->title == "Display_1 (mod-display) logged an error: lamp driver confused 0");
  CHECK(box.count("+log/mod-display") == 1);
  REQUIRE(box.waits_for("log/mod-display", false));

  // A fatal record is critical, and an error after it keeps the one alert.
  box.exec("complain", {"error", "first"});
  box.exec("complain", {"fatal", "cannot go on"});
  box.exec("complain", {"error", "after"});
  REQUIRE(test::run_until(box.io, [&] { return box.count("+log/mod-display") == 3; }));
  alert = box.runtime->alerts().find("log/mod-display");
  REQUIRE(alert);
  CHECK(alert->severity == AlertSeverity::critical);
  CHECK_THAT(alert->title, Catch::Contains("logged a fatal error: cannot go on"));
  REQUIRE(box.waits_for("log/mod-display", false));
}

TEST_CASE("the runtime's own error records alert as the box", "[alerts][log]") {
  Box box;
  box.runtime->logs().system_logger().error("state directory is read-only");
  REQUIRE(box.waits_for("log/roomd", true));
  auto alert = box.runtime->alerts().find("log/roomd");
  REQUIRE(alert);
  CHECK(alert->module.empty());
  CHECK(alert->sys.empty());
  CHECK(alert->title == "roomd logged an error: state directory is read-only");
}

TEST_CASE("rules run in the runtime and follow a config reload", "[alerts][rules]") {
  Box box;
  REQUIRE(test::run_until(box.io, [&] { return box.connected(); }));
  auto next = box.config;
  AlertRuleConfig rule;
  rule.when = "sys-1/Display_1/connected == true";
  rule.sys = "sys-1";
  rule.module = "Display";
  rule.variable = "connected";
  rule.op = "==";
  rule.value = true;
  rule.severity = "low";
  rule.title = "display connected";
  rule.json_path = "alerts[0]";
  next.alerts = {rule};
  REQUIRE(check_modules(next, box.registry).empty());
  CHECK(box.runtime->reload(next).alerts_changed);
  REQUIRE(box.waits_for("rule/0", true));
  CHECK(box.runtime->alerts().find("rule/0")->title == "display connected");

  // The rule changed: its alert clears, and the new rule does not hold.
  next.alerts[0].value = false;
  box.runtime->reload(next);
  CHECK_FALSE(box.active("rule/0"));
  next.alerts.clear();
  box.runtime->reload(next);
  box.io.run_for(20ms);
  CHECK(box.runtime->alerts().active().empty());
  CHECK(box.count("+rule/0") == 1);
}
