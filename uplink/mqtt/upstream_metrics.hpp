// The outbox's and the upstream's figures for /metrics: what is stored, acknowledged,
// evicted and refused, and whether the broker is connected.
#pragma once

#include <string>

namespace roomd {

struct OutboxStats;
class Upstream;

// Prometheus text; `upstream` is null when only the outbox runs (no upstream.mqtt).
std::string upstream_metrics(const OutboxStats& stats, const Upstream* upstream);

}  // namespace roomd
