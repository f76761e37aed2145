// Modbus TCP register reads per second: a plain libmodbus loop against the simulator, then
// the same reads through roomd (exec -> driver -> bus worker -> libmodbus -> state store),
// in one run against one simulator. Prints figures; asserts nothing.
#include "drivers/modbus_sensor/modbus_simulator.hpp"
#include "runtime/runtime.hpp"

#include <modbus/modbus.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>

using namespace roomd;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kReads = 20000;

double plain_loop(std::uint16_t port) {
  modbus_t* ctx = modbus_new_tcp("127.0.0.1", port);
  modbus_set_slave(ctx, 1);
  if (modbus_connect(ctx) != 0) {
    std::fprintf(stderr, "plain loop: cannot connect: %s\n", modbus_strerror(errno));
    std::exit(1);
  }
  std::uint16_t words[2];
  auto start = Clock::now();
  for (int i = 0; i < kReads; ++i) {
    if (modbus_read_input_registers(ctx, 1, 2, words) != 2) {
      std::fprintf(stderr, "plain loop: read failed: %s\n", modbus_strerror(errno));
      std::exit(1);
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  modbus_close(ctx);
  modbus_free(ctx);
  return kReads / seconds;
}

double through_roomd(std::uint16_t port, int in_flight) {
  asio::io_context io(1);
  auto dir = std::filesystem::temp_directory_path() / ("roomd-bench-" + std::to_string(getpid()));
  DriverRegistry registry;
  register_builtin_drivers(registry);
  Config config;
  config.box = {"bench", "bench", dir.string()};
  config.log_level = LogLevel::error;
  ModuleConfig module{"mod-bench",
                      "modbus_sensor",
                      "Sensor",
                      {},
                      Json::parse(R"({"registers": [
                        {"name": "t", "table": "input", "address": 1, "type": "u32",
                         "every": "1h"}]})"),
                      {},
                      "modules[0]"};
  ModbusTcpConfig tcp;
  tcp.host = "127.0.0.1";
  tcp.port = port;
  tcp.unit = 1;
  module.transport = tcp;
  config.modules = {module};
  Runtime runtime(io, config, registry);
  runtime.start();
  auto* target = runtime.modules().module("mod-bench");
  int issued = 0;
  int completed = 0;
  Clock::time_point start;
  std::function<void()> issue = [&] {
    ++issued;
    target->exec("read", Json::array({"t"}), [&](std::exception_ptr error, Json) {
      if (error) {
        std::fprintf(stderr, "roomd: a read failed\n");
        std::exit(1);
      }
      if (++completed == kReads) {
        io.stop();
        return;
      }
      if (issued < kReads) issue();
    });
  };
  // One warm-up read connects the bus; the clock starts after it.
  target->exec("read", Json::array({"t"}), [&](std::exception_ptr, Json) {
    start = Clock::now();
    for (int i = 0; i < in_flight; ++i) issue();
  });
  io.run();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  runtime.stop();
  io.restart();
  io.run_for(std::chrono::milliseconds(50));
  std::filesystem::remove_all(dir);
  return kReads / seconds;
}

}  // namespace

int main() {
  modbus::Simulator sim({});
  sim.add_unit(1);
  sim.set_value(1, modbus::Table::input_register, 1, 0x0131);
  sim.set_value(1, modbus::Table::input_register, 2, 0x0222);
  sim.start();
  std::printf("Modbus TCP reads of 2 input registers, %d reads each, loopback simulator\n", kReads);
  double plain = plain_loop(sim.port());
  std::printf("  plain libmodbus loop:          %8.0f reads/s\n", plain);
  for (int in_flight : {1, 8}) {
    double roomd = through_roomd(sim.port(), in_flight);
    std::printf("  through roomd, %d in flight:    %8.0f reads/s (%.0f%% of the plain loop)\n",
                in_flight, roomd, 100.0 * roomd / plain);
  }
  sim.stop();
  return 0;
}
