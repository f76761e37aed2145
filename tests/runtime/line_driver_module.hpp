// One test driver's module on a FakeLine (tests/support/fake_transport.hpp), for runtime tests
// that play the device: the real Module, queue and tokenizer, no socket and no timing.
#pragma once

#include "runtime/driver_registry.hpp"
#include "runtime/module.hpp"
#include "runtime/module_checks.hpp"
#include "tests/support/exec.hpp"
#include "tests/support/fake_transport.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <utility>

namespace roomd::test {

class AloneInSystem final : public ModuleDirectory {
 public:
  Module* find_peer(const std::string&, std::string_view, int) override { return nullptr; }
  std::vector<PeerInfo> peers_of(const std::string&) override { return {}; }
};

// `D` is the driver class; the line accepts, and the module is connected after settle().
template <class D>
struct LineDriverModule {
  explicit LineDriverModule(const Json& settings = Json::object())
      : registration(make_registration<D>()) {
    logs.set_stderr(false);
    ModuleConfig config;
    config.id = "mod-line";
    config.driver = registration.info.name;
    config.name = registration.info.generic_name;
    module = std::make_unique<Module>(
        io.get_executor(), config, registration, merged_settings(registration.info, settings),
        store, logs.logger(config.id, config.driver), directory, line.factory());
    module->start();
    line.connect();
    settle();
  }
  ~LineDriverModule() {
    module->stop();
    settle();
    module.reset();
    settle();
  }
  LineDriverModule(const LineDriverModule&) = delete;
  LineDriverModule& operator=(const LineDriverModule&) = delete;

  void settle() {
    do {
      io.restart();
    } while (io.poll() > 0);
  }
  std::pair<Json, std::string> exec(const std::string& method, Json args = Json::array()) {
    return exec_and_wait(io, *module, method, std::move(args));
  }

  asio::io_context io;
  DriverRegistration registration;
  StateStore store;
  LogHub logs{LogLevel::info};
  AloneInSystem directory;
  FakeLine line;
  std::unique_ptr<Module> module;
};

}  // namespace roomd::test
