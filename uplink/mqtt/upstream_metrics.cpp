#include "uplink/mqtt/upstream_metrics.hpp"

#include "uplink/core/prometheus_text.hpp"
#include "uplink/mqtt/upstream.hpp"
#include "uplink/outbox/outbox_stats.hpp"

namespace roomd {

std::string upstream_metrics(const OutboxStats& stats, const Upstream* upstream) {
  PrometheusText out;
  out.gauge("roomd_outbox_epoch", "Boot epoch of the records stored now", stats.epoch);
  out.gauge("roomd_outbox_committed_seq", "Last record of this epoch durably committed",
            stats.committed_seq);
  out.gauge("roomd_outbox_acked_seq", "Last record of this epoch the broker acknowledged",
            stats.acked_seq);
  out.gauge("roomd_outbox_pending", "Records stored and not yet acknowledged", stats.pending);
  out.gauge("roomd_outbox_bytes", "Bytes of the pending records", stats.bytes);
  out.counter("roomd_outbox_refused_total",
              "Records that could not be stored since this start (disk full, queue full)",
              stats.refused);
  out.family("roomd_outbox_evicted_total", "counter",
             "Records evicted to stay within the bounds, by kind");
  for (const auto& [kind, n] : stats.evicted)
    out.sample("roomd_outbox_evicted_total", "kind=\"" + PrometheusText::label(kind) + "\"", n);
  out.gauge("roomd_upstream_connected", "1 while the upstream broker is connected",
            std::uint64_t{upstream && upstream->connected()});
  out.counter("roomd_upstream_drained_total",
              "Records the broker acknowledged since this start (a record resent counts again)",
              upstream ? upstream->drained() : std::uint64_t{0});
  out.gauge("roomd_upstream_in_flight", "Records published and not yet acknowledged",
            std::uint64_t{upstream ? upstream->in_flight() : 0});
  return out.str();
}

}  // namespace roomd
