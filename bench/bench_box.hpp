// A box for the benchmarks, wired as `roomd run` wires it: the runtime with one PJLink
// projector (at a simulator's port), the PlaceOS API on a free loopback port and, given an
// upstream, the store-and-forward (the outbox in the state dir, draining to the broker).
#pragma once

#include "base/asio.hpp"
#include "config/config.hpp"
#include "runtime/driver_registry.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace roomd {

class ApiServer;
class Runtime;
class StoreAndForward;

namespace bench {

constexpr const char* kKey = "bench-key";

struct BoxOptions {
  // The API's connection bounds as shipped, instead of room for a thousand subscribers on one
  // address.
  bool default_limits = false;
  // With it, the store-and-forward runs: the outbox in state_dir, drained to this broker.
  std::optional<MqttConfig> upstream;
  std::filesystem::path state_dir;  // empty: a fresh temp dir, removed at the end
};

struct Box {
  // The projector (system "bench", module "Projector", id "mod-proj") talks to 127.0.0.1 at
  // `projector_port`; the io_context runs on `thread`.
  explicit Box(std::uint16_t projector_port, BoxOptions options = {});
  ~Box();
  Box(const Box&) = delete;
  Box& operator=(const Box&) = delete;

  asio::io_context io{1};
  std::filesystem::path dir;
  bool own_dir = false;
  DriverRegistry registry;  // the modules keep pointers into it
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<StoreAndForward> upstream;  // null without BoxOptions::upstream
  std::thread thread;
  std::uint16_t port = 0;
};

// The p-th quantile (0..1) of `values` (reordered).
double percentile(std::vector<double>& values, double p);

// `count` exec round trips (power?) of one WebSocket panel, in microseconds, once the projector
// answers; `before_each(i)` runs before the i-th is sent (a load to start, a mark to set).
std::vector<double> exec_round_trips(std::uint16_t api_port, int count,
                                     const std::function<void(int)>& before_each = {});

}  // namespace bench
}  // namespace roomd
