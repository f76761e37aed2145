// The API's own counters and the Prometheus text rendering of them together with the
// runtime's gauges (module connected, queue depth). Everything runs on the io thread, so the
// counters are plain integers.
#pragma once

#include "base/asio.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <string>

namespace roomd {

class Runtime;
class NotifyHub;

// What the server that carries the front-ends knows of its connections.
struct ConnectionGauges {
  std::size_t open = 0;       // connections of every kind
  std::uint64_t evicted = 0;  // closed while idle to make room
};

class Metrics {
 public:
  static constexpr std::array<double, 12> kLatencyBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};

  struct Histogram {
    std::array<std::uint64_t, kLatencyBuckets.size()> buckets{};  // cumulative on output only
    std::uint64_t count = 0;
    double sum = 0;
    void observe(double seconds);
  };

  void exec_done(const std::string& module_id, Clock::duration elapsed, bool ok);

  std::uint64_t connections_total = 0;  // accepted WebSocket connections
  std::uint64_t connections_open = 0;
  std::uint64_t socketio_sessions = 0;          // open Engine.IO sessions, on either transport
  std::uint64_t connections_rejected = 0;       // 401 or 503 before the upgrade
  std::uint64_t http_refused_server_full = 0;   // 503 at accept: api.max_connections
  std::uint64_t http_refused_address_full = 0;  // 503 at accept: per-address bound
  std::uint64_t http_bad_requests = 0;          // 400: malformed HTTP or handshake
  std::uint64_t accept_errors = 0;              // accept() failed (EMFILE and friends)
  std::uint64_t tls_handshake_failures = 0;     // api.tls: failed or not done in time
  std::uint64_t limit_refusals = 0;             // requests refused by a per-connection bound
  std::uint64_t slow_closed = 0;                // closed with 1008
  std::uint64_t notifies_sent = 0;
  std::uint64_t notifies_coalesced = 0;
  std::uint64_t log_records_dropped = 0;  // debug records not delivered (connection closing)
  std::uint64_t requests = 0;

  // Prometheus text exposition format 0.0.4.
  std::string render(Runtime& runtime, const NotifyHub& hub,
                     const ConnectionGauges& connections) const;

 private:
  struct ExecStats {
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;
    Histogram latency;
  };
  std::map<std::string, ExecStats> exec_;
};

}  // namespace roomd
