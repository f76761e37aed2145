// A Samsung display behind the real driver and its simulator, watched through the native
// protocol, OpenFrame and Exosite at once: one change of the device reaches all three, and
// Exosite's write reaches the device's wire.
#include "drivers/samsung_mdc/mdc_simulator.hpp"
#include "tests/support/wait.hpp"
#include "tests/uplink/api_fixture.hpp"
#include "tests/uplink/openframe/openframe_client.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <future>

using namespace roomd;
using namespace roomd::test;
using roomd::samsung_mdc::MdcSimulator;

namespace {

// The simulator on an io_context and a thread of its own, as a device on the network.
class SimulatedDisplay {
 public:
  SimulatedDisplay() : port_(simulator_.listen_tcp()) {
    thread_ = std::thread([this] { io_.run(); });
  }

  std::uint16_t port() const { return port_; }

  // Runs `fn` on the simulator's thread and waits for it.
  template <class Fn>
  auto on_device(Fn fn) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }
  MdcSimulator& simulator() { return simulator_; }

  ~SimulatedDisplay() {
    on_device([this] { simulator_.stop(); });
    work_.reset();
    thread_.join();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  MdcSimulator simulator_{io_.get_executor()};
  std::uint16_t port_;
  std::thread thread_;
};

ApiOptions with_display(const SimulatedDisplay& display) {
  ApiOptions options;
  ModuleConfig module{"mod-mdc", "samsung_mdc", "Display", {}, Json::object(), {}, ""};
  TcpTransportConfig tcp;
  tcp.host = "127.0.0.1";
  tcp.port = display.port();
  tcp.backoff_min = std::chrono::milliseconds(50);
  tcp.backoff_max = std::chrono::milliseconds(100);
  module.transport = tcp;
  options.extra_modules.push_back(module);
  options.offline_after = std::chrono::milliseconds(200);
  return options;
}

bool connected(ApiFixture& api) {
  return api.runtime().state().get("mod-mdc", "connected") == Json(true);
}

void exosite_auth(WsClient& ws) {
  ws.send(R"({"auth": {"cik": "operator-key-4567"}})");
  REQUIRE(ws.read_json() == Json{{"status", "ok"}});
}

Json exosite_call(WsClient& ws, const Json& id, const std::string& procedure, Json arguments) {
  ws.send(
      Json{{"calls", {{{"id", id}, {"procedure", procedure}, {"arguments", arguments}}}}}.dump());
  auto answer = ws.read_json();
  REQUIRE(answer.size() == 1);
  return answer[0];
}

// The value of one Exosite subscription message.
Json exosite_value(const Json& message) {
  REQUIRE(message.size() == 1);
  CHECK(message[0]["status"] == "ok");
  return message[0]["result"].at(0).at(1);
}

}  // namespace

TEST_CASE("a device going offline and back reaches the native protocol OpenFrame and Exosite") {
  SimulatedDisplay display;
  ApiFixture api(with_display(display));
  REQUIRE(wait_until_on(api, [&] { return connected(api); }));

  // The native protocol binds the variable.
  auto native = WsClient::with_key(api.port(), kOperatorKey);
  auto bound = native.request({{"id", 1},
                               {"cmd", "bind"},
                               {"sys", "sys-1"},
                               {"mod", "Display"},
                               {"index", 3},
                               {"name", "connected"}});
  REQUIRE(bound["type"] == "success");
  CHECK(native.read_json()["value"] == true);

  // OpenFrame subscribes to devices and alerts: the snapshot has the display online.
  auto openframe = openframe_client(api.port(), kOperatorKey);
  openframe.send(subscribe({"devices", "alerts"}).dump());
  auto snapshot = device_updates(read_until(openframe, [](const Json& m) {
    return m.value("type", "") == "device_update" && m["data"]["id"] == "mod-mdc";
  }));
  CHECK(snapshot.at("mod-mdc")["data"]["status"] == "online");
  CHECK(snapshot.at("mod-mdc")["data"]["name"] == "Display_3");

  // Exosite subscribes to the same variable by its alias.
  WsClient exosite(api.port(), "/ws");
  exosite_auth(exosite);
  CHECK(exosite_call(exosite, 1, "subscribe",
                     Json::array({"sys-1/Display_3/connected"}))["status"] == "ok");

  // The display drops off the network.
  display.on_device([&] {
    display.simulator().stop_tcp();
    display.simulator().drop_clients();
  });
  CHECK(native.read_json()["value"] == false);
  CHECK(exosite_value(exosite.read_json()) == false);
  auto offline = read_until(openframe, [](const Json& m) {
    return m.value("type", "") == "alert_created" && m["data"]["device_id"] == "mod-mdc";
  });
  CHECK(device_updates(offline).at("mod-mdc")["data"]["status"] == "offline");
  CHECK(offline.back()["data"]["severity"] == "high");
  CHECK(offline.back()["data"]["id"] == "offline/mod-mdc");
  CHECK(offline.back()["data"]["system"] == "sys-1");

  // And comes back on the same port.
  display.on_device([&] { display.simulator().listen_tcp(display.port()); });
  CHECK(native.read_json(std::chrono::seconds(10))["value"] == true);
  CHECK(exosite_value(exosite.read_json(std::chrono::seconds(10))) == true);
  auto online = read_until(openframe, [](const Json& m) {
    return m.value("type", "") == "device_update" && m["data"]["id"] == "mod-mdc" &&
           m["data"]["status"] == "online";
  });
  CHECK_FALSE(online.empty());
  CHECK(api.runtime().alerts().find("offline/mod-mdc") == std::nullopt);
}

TEST_CASE("exosite writes a display's power through its setter down to the device's bytes") {
  SimulatedDisplay display;
  ApiFixture api(with_display(display));
  REQUIRE(wait_until_on(api, [&] { return connected(api); }));
  display.on_device([&] { display.simulator().clear_log(); });

  WsClient exosite(api.port(), "/ws");
  exosite_auth(exosite);
  CHECK(exosite_call(exosite, "on", "write", Json::array({"sys-1/Display_3/power", true})) ==
        Json{{"id", "on"}, {"status", "ok"}});
  // MDC power on for display 1: header, command 0x11, id, one data byte, checksum.
  auto received = display.on_device([&] { return display.simulator().received(); });
  CHECK(std::find(received.begin(), received.end(), std::string("\xAA\x11\x01\x01\x01\x14", 6)) !=
        received.end());
  CHECK(display.on_device([&] { return display.simulator().state().power; }));
  auto power = exosite_call(exosite, 2, "read", Json::array({"sys-1/Display_3/power"}));
  CHECK(power["result"].at(0).at(1) == true);
}
