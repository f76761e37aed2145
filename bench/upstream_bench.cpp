// The MQTT upstream under load, in one run on this machine, against a mosquitto started here on
// a free loopback port, with the box wired as `roomd run` wires it:
//  1. drain rate: an outbox holding N status records (~200 bytes, as roomd_bench_outbox's) from
//     an earlier boot, drained with the default in-flight window and no rate limit (drain_rate
//     0): acknowledged records per second from the connect until nothing is pending; once with
//     no consumer, once with a QoS 1 subscriber of the events topic counting what arrived (it
//     shares the two cores, so it costs the drain);
//  2. exec round trips (WebSocket -> projector module -> PJLink simulator, as roomd_bench_ws)
//     with the upstream connected: alone, during a burst of 10,000 status changes set at once on
//     the projector module's strand, and during the same burst spread over the run.
// Prints figures; asserts nothing. Usage: roomd_bench_upstream [records] [--inflight N]
#include "base/wall_clock.hpp"
#include "bench/bench_box.hpp"
#include "bench/simulated_projector.hpp"
#include "main/store_and_forward.hpp"
#include "runtime/module.hpp"
#include "runtime/runtime.hpp"
#include "tests/support/mosquitto_broker.hpp"
#include "uplink/core/request_core.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/api_server.hpp"
#include "uplink/mqtt/mqtt_client.hpp"
#include "uplink/outbox/outbox.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace roomd;
using namespace roomd::bench;
using namespace std::chrono_literals;

namespace {

constexpr int kRoundTrips = 3000;
constexpr int kBurst = 10000;
constexpr int kRounds = 3;
constexpr auto kPoll = 1ms;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The backlog of an outage: `records` status changes, committed by an earlier boot.
void fill_outbox(const std::filesystem::path& dir, std::uint64_t records) {
  OutboxOptions options;
  options.dir = dir;
  options.box_id = "bench";
  options.queue_max = records;
  Outbox outbox(options);
  for (std::uint64_t i = 0; i < records; ++i)
    outbox.append("status", RecordValue::telemetry, unix_now(),
                  {{"sys", "bench"},
                   {"mod", "Projector"},
                   {"index", 1},
                   {"module", "mod-proj"},
                   {"name", "volume"},
                   {"value", static_cast<int>(i % 100)}});
  outbox.flush();
}

// Counts what reaches the events topic, as a consumer would, on a thread of its own.
class EventCounter {
 public:
  EventCounter(const test::MosquittoBroker& broker, const std::string& topic)
      : client_(io_.get_executor(), options(broker)) {
    client_.on_message([this](const MqttMessage&) { ++count; });
    std::promise<bool> subscribed;
    client_.subscribe(topic, 1, [&](bool ok) { subscribed.set_value(ok); });
    client_.start();
    thread_ = std::thread([this] {
      auto guard = asio::make_work_guard(io_);
      io_.run();
    });
    if (!subscribed.get_future().get()) std::fprintf(stderr, "the counter's SUBSCRIBE failed\n");
  }
  ~EventCounter() {
    asio::post(io_, [this] { client_.stop(); });
    io_.stop();
    thread_.join();
  }
  std::atomic<std::uint64_t> count{0};

 private:
  static MqttOptions options(const test::MosquittoBroker& broker) {
    MqttOptions options;
    options.host = "127.0.0.1";
    options.port = broker.port();
    options.client_id = "bench-counter";
    options.backoff_min = 100ms;
    return options;
  }
  asio::io_context io_{1};
  MqttClient client_;
  std::thread thread_;
};

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// The CPU time of this thread's children (the broker), from /proc.
double children_cpu_seconds() {
  const auto task = "/proc/self/task/" + std::to_string(gettid());
  std::ifstream children(task + "/children");
  double total = 0;
  for (int pid = 0; children >> pid;) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string skip;
    for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt
    double utime = 0, stime = 0;
    fields >> utime >> stime;
    total += (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return total;
}

std::uint64_t pending(Box& box) {
  return box.upstream->outbox()->stats().pending;
}

bool connected(Box& box) {
  return box.api->context().outbox_report()["connected"].get<bool>();
}

void wait_drained(Box& box) {
  while (pending(box) > 0) std::this_thread::sleep_for(kPoll);
}

// Sets `count` status changes on the projector's strand in one handler, as a driver that
// parsed them from one reply; the longest such handler is kept in g_longest_set_us.
std::atomic<double> g_longest_set_us{0};
void set_changes(Box& box, Module& module, int count) {
  asio::post(module.executor(), [&box, count] {
    static int value = 0;
    const auto start = Clock::now();
    for (int i = 0; i < count; ++i, ++value)
      box.runtime->state().set("mod-proj", "burst" + std::to_string(value % 10), value);
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    if (us > g_longest_set_us) g_longest_set_us = us;
  });
}

enum class Burst { none, at_once, spread };

double exec_p99(Box& box, Burst burst) {
  Module& module = *box.runtime->modules().module("mod-proj");
  auto trips = exec_round_trips(box.port, kRoundTrips, [&](int i) {
    if (burst == Burst::at_once && i == kRoundTrips / 10) set_changes(box, module, kBurst);
    if (burst == Burst::spread)
      set_changes(box, module,
                  (i + 1) * kBurst / kRoundTrips - i * kBurst / kRoundTrips);  // ~3 per exec
  });
  const auto start = Clock::now();
  wait_drained(box);
  const double p99 = percentile(trips, 0.99);
  std::printf(
      "  %-32s p50 %6.1f us  p99 %7.1f us  (drained %.2f s after the last exec; the "
      "longest set() handler held the strand %.0f us)\n",
      burst == Burst::none      ? "alone:"
      : burst == Burst::at_once ? "burst of 10,000 at once:"
                                : "burst of 10,000 spread:",
      percentile(trips, 0.5), p99, seconds_since(start), g_longest_set_us.exchange(0));
  std::fflush(stdout);
  return p99;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Fills a fresh outbox with `records`, starts a box on it and measures its drain from the
// connect until nothing is pending; with `count`, a consumer subscribed to the events topic
// (on the same two cores) counts what arrived.
void drain_run(std::uint16_t projector_port, const test::MosquittoBroker& broker,
               const MqttConfig& mqtt, std::uint64_t records, bool count) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("roomd-upstream-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  fill_outbox(dir, records);
  std::optional<EventCounter> counter;
  if (count) counter.emplace(broker, mqtt.topic_prefix + "/bench/events");
  {
    Box box(projector_port, {.upstream = mqtt, .state_dir = dir});
    while (!connected(box)) std::this_thread::sleep_for(100us);
    const auto start = Clock::now();
    const double cpu = process_cpu_seconds();
    const double broker_cpu = children_cpu_seconds();
    const auto backlog = pending(box);
    wait_drained(box);
    const double seconds = seconds_since(start);
    const double per_record = 1e6 / static_cast<double>(backlog);
    std::printf(
        "drain, in-flight window %d, not rate-limited, %s: %llu records in %.2f s = %.0f "
        "records/s acknowledged",
        mqtt.inflight, count ? "a consumer counting" : "no consumer",
        static_cast<unsigned long long>(backlog), seconds, static_cast<double>(backlog) / seconds);
    std::printf("; CPU per record: %.1f us %s, %.1f us the broker's",
                (process_cpu_seconds() - cpu) * per_record,
                count ? "roomd's and the consumer's" : "roomd's",
                (children_cpu_seconds() - broker_cpu) * per_record);
    if (counter) {
      const auto deadline = Clock::now() + 10s;
      while (counter->count < backlog && Clock::now() < deadline)
        std::this_thread::sleep_for(kPoll);
      std::printf("; the consumer counted %llu",
                  static_cast<unsigned long long>(counter->count.load()));
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  std::filesystem::remove_all(dir);
}

void exec_runs(Box& box) {
  std::printf("exec round trips (%d per run) with the upstream connected:\n", kRoundTrips);
  std::vector<double> alone, at_once, spread;
  for (int round = 0; round < kRounds; ++round) {
    alone.push_back(exec_p99(box, Burst::none));
    at_once.push_back(exec_p99(box, Burst::at_once));
    spread.push_back(exec_p99(box, Burst::spread));
  }
  const double base = median(alone);
  std::printf(
      "exec p99, median of %d rounds: alone %.1f us; burst at once %.1f us (%+.1f us); burst "
      "spread %.1f us (%+.1f us)\n",
      kRounds, base, median(at_once), median(at_once) - base, median(spread),
      median(spread) - base);
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t records = 100000;
  int inflight = MqttConfig{}.inflight;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--inflight" && i + 1 < argc)
      inflight = std::max(1, std::atoi(argv[++i]));
    else
      records = std::strtoull(argv[i], nullptr, 10);
  }
  SimulatedProjector projector;
  const auto projector_port = projector.port();

  test::MosquittoBroker broker;
  MqttConfig mqtt;
  mqtt.url = broker.url();
  mqtt.host = "127.0.0.1";
  mqtt.port = static_cast<std::uint16_t>(broker.port());
  mqtt.drain_rate = 0;
  mqtt.inflight = inflight;
  drain_run(projector_port, broker, mqtt, records, false);
  drain_run(projector_port, broker, mqtt, records, true);
  {
    Box box(projector_port, {.upstream = mqtt});
    while (!connected(box)) std::this_thread::sleep_for(100us);
    exec_runs(box);
  }
  return 0;
}
