// What a driver passes to send() and call() is owned by the task: a command name built on the
// spot survives until the command is queued, however late the task is awaited. Under ASan the
// old shape (a string_view name) fails here with a heap-use-after-free.
#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/methods.hpp"
#include "tests/runtime/line_driver_module.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace roomd;

namespace {

class Mixer final : public Driver {
 public:
  static DriverInfo info() {
    DriverInfo info;
    info.name = "send_options_mixer";
    info.generic_name = "Mixer";
    info.transport = TransportKind::tcp;
    info.tokenizer = DelimiterSpec{{"\n"}};
    return info;
  }
  static void expose(Methods<Mixer>& m) {
    m.method("gain", &Mixer::gain, {"zone"});
    m.method("long_name", &Mixer::long_name);
  }
  // The task is made in one statement and awaited in another: the name's string is gone.
  Task<int> gain(int zone) {
    auto pending = send("GAIN " + std::to_string(zone) + "\n",
                        {.name = "gain_of_zone_" + std::to_string(zone) + "_in_the_main_hall"});
    co_await std::move(pending);
    co_return zone;
  }
  Task<void> long_name() { co_await send("X\n", {.name = std::string(80, 'n')}); }
  Received received(std::string_view, Command* pending) override {
    return pending ? Received::success : Received::ignore;
  }
};

}  // namespace

TEST_CASE("a command name built in the send expression outlives it", "[module][sdk]") {
  test::LineDriverModule<Mixer> m;
  m.line.on_write([&](std::string_view) { m.line.send("OK\n"); });
  std::vector<std::string> sent;
  auto subscription = m.logs.subscribe("mod-line", LogLevel::trace, [&](const LogRecord& r) {
    if (r.message.starts_with("sent ")) sent.emplace_back(r.message);
  });
  auto [value, error] = m.exec("gain", Json::array({7}));
  CHECK(error.empty());
  CHECK(value == 7);
  CHECK(m.line.written() == "GAIN 7\n");
  REQUIRE(sent.size() == 1);
  CHECK(sent[0] == "sent 'gain_of_zone_7_in_the_main_hall' attempt 1");
}

TEST_CASE("a command name too long for SendOptions fails the method clearly", "[module][sdk]") {
  test::LineDriverModule<Mixer> m;
  auto [value, error] = m.exec("long_name");
  CHECK_THAT(error, Catch::Contains("longer than 63 characters"));
  CHECK(m.line.written().empty());
}

TEST_CASE("SendOptions stays trivially copyable and owns its name", "[sdk]") {
  SendOptions options;
  {
    std::string name = "input_" + std::to_string(12345678) + "_with_a_long_tail";
    options = {.name = name, .priority = 70};
  }
  CHECK(options.name.view() == "input_12345678_with_a_long_tail");
  CHECK(options.priority == 70);
  CHECK(std::is_trivially_destructible_v<SendOptions>);
}
