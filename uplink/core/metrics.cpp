#include "uplink/core/metrics.hpp"

#include "runtime/runtime.hpp"
#include "uplink/core/notify_hub.hpp"
#include "uplink/core/prometheus_text.hpp"

namespace roomd {

void Metrics::Histogram::observe(double seconds) {
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) {
      ++buckets[i];
      break;
    }
  }
  ++count;
  sum += seconds;
}

void Metrics::exec_done(const std::string& module_id, Clock::duration elapsed, bool ok) {
  auto& stats = exec_[module_id];
  (ok ? stats.ok : stats.failed)++;
  stats.latency.observe(std::chrono::duration<double>(elapsed).count());
}

std::string Metrics::render(Runtime& runtime, const NotifyHub& hub,
                            const ConnectionGauges& connections) const {
  PrometheusText out;
  const auto counter = [&](const char* name, const char* help, std::uint64_t value) {
    out.counter(name, help, value);
  };
  const auto gauge = [&](const char* name, const char* help, double value) {
    out.gauge(name, help, value);
  };
  const auto label = [](std::string_view value) { return PrometheusText::label(value); };
  gauge("roomd_http_connections",
        "Open API connections of every kind (HTTP, WebSocket, unfinished requests)",
        static_cast<double>(connections.open));
  counter("roomd_http_evicted_total",
          "Connections still waiting for a request head, closed to make room for a new one",
          connections.evicted);
  gauge("roomd_ws_connections",
        "Open long-lived sessions: WebSocket connections and Socket.IO sessions",
        static_cast<double>(connections_open));
  gauge("roomd_socketio_sessions", "Open Socket.IO (Engine.IO) sessions, on either transport",
        static_cast<double>(socketio_sessions));
  counter("roomd_ws_connections_total", "WebSocket connections accepted", connections_total);
  counter("roomd_ws_rejected_total", "Upgrades refused with 401 or 503", connections_rejected);
  out.family("roomd_http_refused_total", "counter",
             "Connections answered 503 and closed at accept, by the bound they hit");
  out.sample("roomd_http_refused_total", R"(limit="max_connections")", http_refused_server_full);
  out.sample("roomd_http_refused_total", R"(limit="max_connections_per_address")",
             http_refused_address_full);
  counter("roomd_http_bad_requests_total", "Malformed HTTP requests or handshakes (400)",
          http_bad_requests);
  counter("roomd_accept_errors_total", "Failed accepts (out of file descriptors and the like)",
          accept_errors);
  counter("roomd_tls_handshake_failures_total",
          "TLS handshakes that failed or did not finish within api.header_timeout",
          tls_handshake_failures);
  counter("roomd_limit_refusals_total",
          "Requests refused by a per-connection bound (bindings, debug streams, execs)",
          limit_refusals);
  counter("roomd_ws_slow_closed_total", "Connections closed with 1008 for not reading",
          slow_closed);
  counter("roomd_requests_total", "Protocol requests received", requests);
  gauge("roomd_bindings", "Active bindings", static_cast<double>(hub.bindings()));
  counter("roomd_notifies_sent_total", "Notify messages written to clients", notifies_sent);
  counter("roomd_notifies_coalesced_total",
          "Notify messages replaced by a newer value before being written", notifies_coalesced);
  counter("roomd_log_records_dropped_total",
          "Debug records not delivered because their connection was closing", log_records_dropped);

  out.family("roomd_exec_total", "counter", "Method calls by module and outcome");
  for (const auto& [id, stats] : exec_) {
    const auto module = "module=\"" + label(id) + "\"";
    out.sample("roomd_exec_total", module + R"(,result="ok")", stats.ok);
    out.sample("roomd_exec_total", module + R"(,result="error")", stats.failed);
  }
  out.family("roomd_exec_duration_seconds", "histogram", "Method call latency by module");
  for (const auto& [id, stats] : exec_) {
    const auto module = "module=\"" + label(id) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += stats.latency.buckets[i];
      out.sample("roomd_exec_duration_seconds_bucket",
                 module + ",le=\"" + PrometheusText::number(kLatencyBuckets[i]) + "\"", cumulative);
    }
    out.sample("roomd_exec_duration_seconds_bucket", module + R"(,le="+Inf")", stats.latency.count);
    out.sample("roomd_exec_duration_seconds_sum", module, stats.latency.sum);
    out.sample("roomd_exec_duration_seconds_count", module, stats.latency.count);
  }

  const auto& modules = runtime.modules().modules();
  out.family("roomd_module_connected", "gauge", "1 while the module's device is connected");
  for (const auto& module : modules) {
    auto connected = runtime.state().get(module->module_id(), "connected");
    const bool up = connected && connected->is_boolean() && connected->get<bool>();
    out.sample("roomd_module_connected",
               "module=\"" + label(module->module_id()) + "\",driver=\"" +
                   label(module->driver().info.name) + "\"",
               std::uint64_t{up});
  }
  out.family("roomd_module_queue_depth", "gauge", "Commands waiting in the module's queue");
  for (const auto& module : modules)
    out.sample("roomd_module_queue_depth", "module=\"" + label(module->module_id()) + "\"",
               static_cast<std::uint64_t>(module->queue_depth()));
  out.family("roomd_module_restarts_total", "counter", "Module restarts after a failure");
  for (const auto& module : modules)
    out.sample("roomd_module_restarts_total", "module=\"" + label(module->module_id()) + "\"",
               static_cast<std::uint64_t>(module->restarts()));
  out.family("roomd_alerts_active", "gauge", "Active alerts by severity");
  std::array<std::uint64_t, 4> active{};
  for (const auto& alert : runtime.alerts().active())
    ++active[static_cast<std::size_t>(alert.severity)];
  for (std::size_t i = 0; i < active.size(); ++i)
    out.sample("roomd_alerts_active",
               std::string("severity=\"") + to_string(static_cast<AlertSeverity>(i)) + "\"",
               active[i]);
  counter("roomd_state_changes_total", "Status changes in the state store",
          runtime.state().changes());
  return out.str();
}

}  // namespace roomd
