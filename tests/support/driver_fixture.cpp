#include "tests/support/driver_fixture.hpp"
#include "main/device_links.hpp"

#include "tests/support/exec.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

namespace roomd::test {

using namespace std::chrono_literals;

TcpTransportConfig loopback_tcp(std::uint16_t port) {
  TcpTransportConfig tcp;
  tcp.host = "127.0.0.1";
  tcp.port = port;
  tcp.backoff_min = 20ms;
  tcp.backoff_max = 100ms;
  return tcp;
}

SerialTransportConfig pty_serial(const std::string& path) {
  SerialTransportConfig serial;
  serial.port.path = path;
  serial.backoff_min = 20ms;
  serial.backoff_max = 100ms;
  return serial;
}

DriverUnderTest::DriverUnderTest(asio::io_context& io, const std::string& state_dir,
                                 const DriverSpec& spec)
    : driver_io(io), module_id(spec.module_id) {
  register_builtin_drivers(registry);
  Config config;
  config.box.id = "box-test";
  config.box.state_dir = state_dir;
  config.log_level = LogLevel::fatal;
  config.modules = {{spec.module_id, spec.driver, spec.name, spec.transport, spec.settings,
                     std::nullopt, "modules[0]"}};
  config.systems = {{"sys-1", "Room", {spec.module_id}}};
  auto errors = check_modules(config, registry);
  INFO((errors.empty() ? std::string() : errors.front().text()));
  REQUIRE(errors.empty());

  runtime = std::make_unique<Runtime>(io, config, registry, make_device_links());
  runtime->logs().set_stderr(false);
  log_subscription =
      runtime->logs().subscribe(module_id, LogLevel::trace, [this](const LogRecord& record) {
        records.push_back({record.level, std::string(record.message)});
      });
  REQUIRE(log_subscription);
  connected_subscription = runtime->state().subscribe(
      module_id, "connected", [this](std::string_view, std::string_view, const Json& value) {
        if (value == Json(true)) ++connected_true;
      });
  runtime->start();
}

DriverUnderTest::~DriverUnderTest() {
  runtime->stop();
  driver_io.run_for(50ms);
}

Module& DriverUnderTest::module() {
  return *runtime->modules().module(module_id);
}

Json DriverUnderTest::state(const char* name) {
  return runtime->state().get(module_id, name).value_or(Json(nullptr));
}

bool DriverUnderTest::connected() {
  return state("connected") == Json(true);
}

bool DriverUnderTest::wait_for(const char* name, const Json& value,
                               std::chrono::milliseconds timeout) {
  return run_until(
      driver_io, [&] { return state(name) == value; }, timeout);
}

std::pair<Json, std::string> DriverUnderTest::exec(const std::string& method, Json args) {
  return exec_and_wait(driver_io, module(), method, std::move(args));
}

std::vector<std::string> DriverUnderTest::logged(LogLevel level, const std::string& text) const {
  return matching(records, level, text);
}

std::vector<std::string> matching(const std::vector<LoggedRecord>& records, LogLevel level,
                                  const std::string& text) {
  std::vector<std::string> out;
  for (const auto& r : records)
    if (r.level >= level && r.message.find(text) != std::string::npos) out.push_back(r.message);
  return out;
}

std::size_t count_of(const std::vector<std::string>& all, const std::string& item) {
  return static_cast<std::size_t>(std::count(all.begin(), all.end(), item));
}

}  // namespace roomd::test
