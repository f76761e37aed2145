// The debug console's view of a device: while someone debugs a module at `debug`, every
// frame sent and received is one of its records, in order, with secrets masked.
#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/methods.hpp"
#include "tests/runtime/line_driver_module.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace roomd;

namespace {

constexpr const char* kPassword = "hunter2-correct-horse";

class Projector final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "traffic_projector";
    info.generic_name = "Projector";
    info.transport = TransportKind::tcp;
    info.tokenizer = DelimiterSpec{{"\r"}};
    info.settings = {{"password", "string", "", "", true}};
    return info;
  }
  static void expose(Methods<Projector>& m) {
    m.method("power", &Projector::power, {"on"});
    m.method("login", &Projector::login);
    m.method("login_secret", &Projector::login_secret);
  }
  Task<bool> power(bool on) {
    co_await send(on ? "%1POWR 1\r" : "%1POWR 0\r", {.name = "power"});
    co_return on;
  }
  // A driver that sends its password through the queue: the setting is masked anyway.
  Task<void> login() { co_await send("PASS " + setting<std::string>("password") + "\r"); }
  Task<void> login_secret() {
    write_secret(setting<std::string>("password") + "\r", 21);
    co_return;
  }
  Received received(std::string_view, Command* pending) override {
    return pending ? Received::success : Received::ignore;
  }
};

struct Debugged : test::LineDriverModule<Projector> {
  Debugged() : LineDriverModule(Json{{"password", kPassword}}) {
    line.on_write([this](std::string_view bytes) {
      if (bytes == "%1POWR 1\r") line.send("%1POWR=OK\r");
      if (bytes.starts_with("PASS ")) line.send("PASS=" + std::string(kPassword) + " OK\r");
    });
  }
  // The traffic records heard at `level`, by a listener subscribed for as long as it runs.
  std::vector<std::string> traffic(LogLevel level, const std::string& method) {
    std::vector<std::string> heard;
    auto subscription = logs.subscribe("mod-line", level, [&](const LogRecord& record) {
      std::string message(record.message);
      if (message.starts_with("-> ") || message.starts_with("<- ")) heard.push_back(message);
    });
    auto [value, error] = exec(method, method == "power" ? Json::array({true}) : Json::array());
    CHECK(error.empty());
    return heard;
  }
};

}  // namespace

TEST_CASE("a module debugged at debug shows each frame sent and received in order",
          "[module][debug]") {
  Debugged m;
  CHECK(m.traffic(LogLevel::debug, "power") ==
        std::vector<std::string>{"-> %1POWR 1\\x0D", "<- %1POWR=OK"});
}

TEST_CASE("device traffic shows secret settings and secret writes masked", "[module][debug]") {
  Debugged m;
  CHECK(m.traffic(LogLevel::debug, "login") ==
        std::vector<std::string>{"-> PASS <secret>\\x0D", "<- PASS=<secret> OK"});
  CHECK(m.traffic(LogLevel::trace, "login_secret") ==
        std::vector<std::string>{"-> <21 secret bytes>\\x0D"});
}

TEST_CASE("no traffic records while nobody debugs the module", "[module][debug]") {
  Debugged m;
  CHECK(m.traffic(LogLevel::info, "power").empty());
  std::vector<std::string> tapped;
  auto tap = m.logs.tap(LogLevel::trace, [&](const LogRecord& record) {
    if (record.message.starts_with("-> ") || record.message.starts_with("<- "))
      tapped.emplace_back(record.message);
  });
  auto [value, error] = m.exec("power", Json::array({true}));
  CHECK(error.empty());
  CHECK(tapped.empty());
}
