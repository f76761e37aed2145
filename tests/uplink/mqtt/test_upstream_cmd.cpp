#include "tests/support/wait.hpp"
#include "tests/uplink/mqtt/upstream_fixture.hpp"

#include <catch2/catch.hpp>

using namespace roomd;
using namespace roomd::test;
using namespace std::chrono_literals;

namespace {

const std::string kCmd = std::string("roomd/") + kBox + "/cmd";
const std::string kResp = std::string("roomd/") + kBox + "/resp";

// A consumer of resp that sends requests on cmd, one answer at a time.
class CmdClient {
 public:
  explicit CmdClient(UpstreamFixture& fx) : subscriber_(io_, test_mqtt_options(fx.broker)) {
    REQUIRE(subscriber_.subscribe(kResp));
    REQUIRE(wait_until([&] { return fx.upstream->connected(); }));
    // connected() is the CONNACK: the upstream's SUBSCRIBE to cmd may still be on its way,
    // and a request the broker gets before it reaches nobody. Probe until one is answered;
    // answers to probes (their id is "probe") are not the tests' answers.
    const auto answered = [&] { return subscriber_.messages().size() > answers().size(); };
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!answered() && std::chrono::steady_clock::now() < deadline) {
      REQUIRE(publish_and_wait(io_, subscriber_.client(), kCmd, kProbe) == true);
      run_until(io_, answered, 500ms);
    }
    REQUIRE(answered());
  }
  Json request(const std::string& payload) {
    const auto before = answers().size();
    REQUIRE(publish_and_wait(io_, subscriber_.client(), kCmd, payload) == true);
    REQUIRE(run_until(io_, [&] { return answers().size() > before; }));
    return answers()[before];
  }

 private:
  static constexpr const char* kProbe = R"({"id": "probe", "cmd": "probe"})";

  std::vector<Json> answers() const {
    std::vector<Json> out;
    for (const auto& message : subscriber_.messages()) {
      auto answer = Json::parse(message.payload, nullptr, false);
      if (!(answer.is_object() && answer.value("id", Json()) == "probe"))
        out.push_back(std::move(answer));
    }
    return out;
  }

  boost::asio::io_context io_;
  MqttTestSubscriber subscriber_;
};

std::string exec(const std::string& sys, const std::string& mod, const std::string& name,
                 const Json& args, int id = 1) {
  return Json{{"id", id},   {"cmd", "exec"}, {"sys", sys},  {"mod", mod},
              {"index", 1}, {"name", name},  {"args", args}}
      .dump();
}

}  // namespace

TEST_CASE("an exec over MQTT reaches the module and answers on resp") {
  UpstreamFixture fx;
  fx.start();
  CmdClient client(fx);
  const auto answer = client.request(exec("sys-1", "Display", "power", {true}, 7));
  CHECK(answer.at("id") == 7);
  CHECK(answer.at("type") == "success");
  CHECK(answer.at("value") == true);
  fx.api.on_io([&] { CHECK(fx.api.runtime().state().get("mod-a", "power") == Json(true)); });
}

TEST_CASE("malformed and unknown-target requests over MQTT get their error codes") {
  UpstreamFixture fx;
  fx.start();
  CmdClient client(fx);

  auto malformed = client.request("{not json");
  CHECK(malformed.at("type") == "error");
  CHECK(malformed.at("id").is_null());
  CHECK((malformed.at("code") == 0 || malformed.at("code") == 1));

  auto no_cmd = client.request(R"({"id": 3, "sys": "sys-1"})");
  CHECK(no_cmd.at("type") == "error");
  CHECK((no_cmd.at("code") == 0 || no_cmd.at("code") == 1));

  auto no_system = client.request(exec("sys-9", "Display", "power", {true}, 4));
  CHECK(no_system.at("id") == 4);
  CHECK(no_system.at("code") == 5);

  auto no_module = client.request(exec("sys-1", "Projector", "power", {true}, 5));
  CHECK(no_module.at("id") == 5);
  CHECK(no_module.at("code") == 6);

  // Still serving after all that.
  CHECK(client.request(exec("sys-2", "Display", "volume", {30, false}, 6)).at("value") == 30);
}

TEST_CASE("cmd requests are authorised with the role configured for the upstream") {
  UpstreamFixture fx;
  fx.config.role = "viewer";
  fx.start();
  CmdClient client(fx);
  auto denied = client.request(exec("sys-1", "Display", "power", {true}, 8));
  CHECK(denied.at("id") == 8);
  CHECK(denied.at("code") == 2);
  fx.api.on_io([&] { CHECK_FALSE(fx.api.runtime().state().get("mod-a", "power")); });
}
