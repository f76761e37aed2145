// Modbus TCP register reads per second: a plain libmodbus loop against the simulator, then
// the same reads through roomd (exec -> driver -> bus worker -> libmodbus -> state store),
// in one run against one simulator, round after round. `roomd_bench_modbus [reads] [rounds]`.
// Prints figures; asserts nothing.
#include "drivers/modbus_sensor/modbus_simulator.hpp"
#include "main/device_links.hpp"
#include "runtime/runtime.hpp"

#include <modbus/modbus.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <sched.h>
#include <sys/resource.h>

using namespace roomd;
using Clock = std::chrono::steady_clock;

namespace {

// Reads per run; an argument makes it smaller, for profiling under callgrind.
constexpr int kDefaultReads = 20000;
constexpr int kDefaultRounds = 3;

double plain_loop(std::uint16_t port, int reads) {
  modbus_t* ctx = modbus_new_tcp("127.0.0.1", port);
  modbus_set_slave(ctx, 1);
  if (modbus_connect(ctx) != 0) {
    std::fprintf(stderr, "plain loop: cannot connect: %s\n", modbus_strerror(errno));
    std::exit(1);
  }
  std::uint16_t words[2];
  auto start = Clock::now();
  for (int i = 0; i < reads; ++i) {
    if (modbus_read_input_registers(ctx, 1, 2, words) != 2) {
      std::fprintf(stderr, "plain loop: read failed: %s\n", modbus_strerror(errno));
      std::exit(1);
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  modbus_close(ctx);
  modbus_free(ctx);
  return reads / seconds;
}

double through_roomd(std::uint16_t port, int reads, int in_flight) {
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
  Runtime runtime(io, config, registry, make_device_links());
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
      if (++completed == reads) {
        io.stop();
        return;
      }
      if (issued < reads) issue();
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
  return reads / seconds;
}

// CPU time and context switches of the whole process (every thread, the simulator's too)
// across one run: the thread hand-offs show here even when a loaded machine blurs the rates.
// The simulator stands in for a device, which answers on its own hardware: it gets the last
// CPU to itself and everything measured (the plain loop, or roomd's threads) the others, so
// both runs see the same placement and the scheduler cannot stack the device on the client.
// Threads keep the CPUs of the thread that started them.
class CpuPlacement {
 public:
  CpuPlacement() {
    if (sched_getaffinity(0, sizeof all_, &all_) != 0) CPU_ZERO(&all_);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &all_)) last_ = cpu;
  }
  bool possible() const { return CPU_COUNT(&all_) >= 2; }
  void device_side() { pin(true); }
  void client_side() { pin(false); }

 private:
  void pin(bool last) {
    cpu_set_t chosen;
    CPU_ZERO(&chosen);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &all_) && (cpu == last_) == last) CPU_SET(cpu, &chosen);
    sched_setaffinity(0, sizeof chosen, &chosen);
  }
  cpu_set_t all_{};
  int last_ = -1;
};

class Usage {
 public:
  Usage() { getrusage(RUSAGE_SELF, &start_); }
  std::string per_read(int reads) const {
    rusage end{};
    getrusage(RUSAGE_SELF, &end);
    const double cpu_us = micros(end.ru_utime) + micros(end.ru_stime) - micros(start_.ru_utime) -
                          micros(start_.ru_stime);
    const long switches = end.ru_nvcsw + end.ru_nivcsw - start_.ru_nvcsw - start_.ru_nivcsw;
    char text[96];
    std::snprintf(text, sizeof text, "[%.1f us CPU, %.2f context switches per read]",
                  cpu_us / reads, static_cast<double>(switches) / reads);
    return text;
  }

 private:
  static double micros(const timeval& t) { return t.tv_sec * 1e6 + t.tv_usec; }
  rusage start_{};
};

}  // namespace

int main(int argc, char** argv) {
  const int reads = argc > 1 ? std::max(1, std::atoi(argv[1])) : kDefaultReads;
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : kDefaultRounds;
  CpuPlacement placement;
  const bool pinned = placement.possible();
  if (pinned) placement.device_side();
  modbus::Simulator sim({});
  sim.add_unit(1);
  sim.set_value(1, modbus::Table::input_register, 1, 0x0131);
  sim.set_value(1, modbus::Table::input_register, 2, 0x0222);
  sim.start();  // its thread stays on the last CPU
  if (pinned) placement.client_side();
  std::printf(
      "Modbus TCP reads of 2 input registers, %d reads each, loopback simulator%s, %d rounds\n",
      reads, pinned ? " on a CPU of its own" : "", rounds);
  // The three runs alternate, round after round, so a slower patch of a shared machine
  // weighs on all of them alike; each ratio compares runs of the same round.
  constexpr std::array<int, 2> kInFlight = {1, 8};
  std::vector<double> ratios[kInFlight.size()];
  for (int round = 1; round <= rounds; ++round) {
    Usage plain_usage;
    const double plain = plain_loop(sim.port(), reads);
    std::printf("  round %d plain libmodbus loop:    %8.0f reads/s                            %s\n",
                round, plain, plain_usage.per_read(reads).c_str());
    for (std::size_t i = 0; i < kInFlight.size(); ++i) {
      Usage usage;
      const double roomd = through_roomd(sim.port(), reads, kInFlight[i]);
      ratios[i].push_back(roomd / plain);
      std::printf(
          "  round %d through roomd, %d in flight: %8.0f reads/s (%3.0f%% of the plain loop) %s\n",
          round, kInFlight[i], roomd, 100.0 * roomd / plain, usage.per_read(reads).c_str());
    }
  }
  for (std::size_t i = 0; i < kInFlight.size(); ++i) {
    auto& r = ratios[i];
    std::sort(r.begin(), r.end());
    std::printf(
        "median: through roomd with %d in flight at %.0f%% of the plain loop (range %.0f-%.0f%%)\n",
        kInFlight[i], 100.0 * r[r.size() / 2], 100.0 * r.front(), 100.0 * r.back());
  }
  sim.stop();
  return 0;
}
