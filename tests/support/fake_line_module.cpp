#include "tests/support/fake_line_module.hpp"

#include "runtime/module_manager.hpp"
#include "tests/support/exec.hpp"

#include <catch2/catch.hpp>

namespace roomd::test {
namespace {

// The module is alone in its system; its driver's alerts go to the fixture's book.
class NoPeers final : public ModuleDirectory {
 public:
  explicit NoPeers(AlertBook& alerts) : alerts_(alerts) {}
  Module* find_peer(const std::string&, std::string_view, int) override { return nullptr; }
  std::vector<PeerInfo> peers_of(const std::string&) override { return {}; }
  void driver_alert_raised(const std::string& module_id, std::string_view key,
                           AlertSeverity severity, const std::string& title) override {
    alerts_.raise({std::string(key), title, severity, module_id, "", 0});
  }
  void driver_alert_cleared(const std::string&, std::string_view key) override {
    alerts_.clear(key);
  }

 private:
  AlertBook& alerts_;
};

}  // namespace

FakeLineModule::FakeLineModule(const std::string& driver, const Json& settings)
    : peers(std::make_unique<NoPeers>(alerts)) {
  start(driver, settings, line.factory(), {});
  line.connect();
}

FakeLineModule::FakeLineModule(const std::string& driver, const Json& settings,
                               std::shared_ptr<FakeModbusBus> bus)
    : peers(std::make_unique<NoPeers>(alerts)) {
  start(driver, settings, {}, {std::move(bus), 1});
}

void FakeLineModule::start(const std::string& driver, const Json& settings,
                           TransportFactory transport, ModbusLink modbus) {
  register_builtin_drivers(registry);
  const auto* registration = registry.find(driver);
  REQUIRE(registration);
  logs.set_stderr(false);
  ModuleConfig config;
  config.id = "mod-test";
  config.driver = driver;
  config.name = registration->info.generic_name;
  config.json_path = "modules[0]";
  module = std::make_unique<Module>(
      io.get_executor(), config, *registration, merged_settings(registration->info, settings),
      store, logs.logger(config.id, driver), *peers, std::move(transport), std::move(modbus));
  log_subscription = logs.subscribe(config.id, LogLevel::trace, [this](const LogRecord& record) {
    records.push_back({record.level, std::string(record.message)});
  });
  REQUIRE(log_subscription);
  module->start();
}

FakeLineModule::~FakeLineModule() {
  module->stop();
  settle();
  module.reset();
  settle();
}

void FakeLineModule::settle() {
  do {
    io.restart();
  } while (io.poll() > 0);
}

void FakeLineModule::device_sends(std::string bytes) {
  line.send(std::move(bytes));
  settle();
}

std::pair<Json, std::string> FakeLineModule::exec(const std::string& method, Json args) {
  return exec_and_wait(io, *module, method, std::move(args));
}

Json FakeLineModule::state(const std::string& name) const {
  return store.get(module->module_id(), name).value_or(Json(nullptr));
}

std::vector<std::string> FakeLineModule::logged(LogLevel level, const std::string& text) const {
  return matching(records, level, text);
}

}  // namespace roomd::test
