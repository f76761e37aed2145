#include "main/store_and_forward.hpp"

#include "runtime/runtime.hpp"
#include "uplink/core/recorder.hpp"
#include "uplink/core/request_core.hpp"
#include "uplink/mqtt/upstream.hpp"
#include "uplink/outbox/outbox.hpp"

#include <sstream>

namespace roomd {

namespace {

std::string outbox_metrics(const OutboxStats& stats, const Upstream* upstream) {
  std::ostringstream out;
  auto line = [&](const char* name, const char* type, const char* help, std::uint64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
        << name << ' ' << value << '\n';
  };
  line("roomd_outbox_epoch", "gauge", "Boot epoch of the records stored now", stats.epoch);
  line("roomd_outbox_committed_seq", "gauge", "Last record of this epoch durably committed",
       stats.committed_seq);
  line("roomd_outbox_acked_seq", "gauge", "Last record of this epoch the broker acknowledged",
       stats.acked_seq);
  line("roomd_outbox_pending", "gauge", "Records stored and not yet acknowledged", stats.pending);
  line("roomd_outbox_bytes", "gauge", "Bytes of the pending records", stats.bytes);
  line("roomd_outbox_refused_total", "counter",
       "Records that could not be stored since this start (disk full, queue full)", stats.refused);
  out << "# HELP roomd_outbox_evicted_total Records evicted to stay within the bounds, by kind\n"
      << "# TYPE roomd_outbox_evicted_total counter\n";
  for (const auto& [kind, n] : stats.evicted)
    out << "roomd_outbox_evicted_total{kind=\"" << kind << "\"} " << n << '\n';
  line("roomd_upstream_connected", "gauge", "1 while the upstream broker is connected",
       upstream && upstream->connected() ? 1 : 0);
  line("roomd_upstream_drained_total", "counter",
       "Records the broker acknowledged since this start (a record resent counts again)",
       upstream ? upstream->drained() : 0);
  line("roomd_upstream_in_flight", "gauge", "Records published and not yet acknowledged",
       upstream ? upstream->in_flight() : 0);
  return out.str();
}

}  // namespace

StoreAndForward::StoreAndForward(RequestCore& core)
    : core_(core), log_(core.runtime.logs().logger("outbox", "outbox")) {
  const auto& config = core.runtime.config();
  if (!config.upstream.outbox_enabled) return;
  OutboxOptions options;
  options.dir = config.box.state_dir;
  options.box_id = config.box.id;
  options.max_bytes = config.upstream.outbox.max_bytes;
  options.max_age =
      std::chrono::duration_cast<std::chrono::seconds>(config.upstream.outbox.max_age);
  options.sync_full = config.upstream.outbox.sync_full;
  options.log = [log = log_](LogLevel level, std::string message) { log.write(level, message); };
  try {
    outbox_ = std::make_unique<Outbox>(std::move(options));
  } catch (const std::exception& e) {
    log_.error(
        "the outbox could not open, so nothing is stored for the upstream until roomd is "
        "restarted with it fixed; the room keeps running: ",
        e.what());
    return;
  }
  log_.info("outbox ", outbox_->path(), " open, boot epoch ", outbox_->epoch());
  recorder_ = std::make_unique<Recorder>(core, *outbox_);
  if (config.upstream.mqtt) {
    upstream_ = std::make_unique<Upstream>(
        core.shared_from_this(), *outbox_, *config.upstream.mqtt, config.box.id,
        [log = core.runtime.logs().logger("upstream", "upstream")](
            LogLevel level, std::string message) { log.write(level, message); });
    recorder_->on_status([upstream = upstream_.get()](const StatusChange& change) {
      upstream->status_changed(change);
    });
  }
  recorder_->start();
  core.outbox_report = [outbox = outbox_.get(), upstream = upstream_.get()] {
    auto body = outbox->stats().to_json();
    body["connected"] = upstream && upstream->connected();
    return body;
  };
  core.upstream_metrics = [outbox = outbox_.get(), upstream = upstream_.get()] {
    return outbox_metrics(outbox->stats(), upstream);
  };
  if (upstream_) upstream_->start();
}

StoreAndForward::~StoreAndForward() {
  stop();
}

void StoreAndForward::stop_upstream() {
  if (upstream_) upstream_->stop();
}

void StoreAndForward::stop() {
  core_.outbox_report = nullptr;
  core_.upstream_metrics = nullptr;
  stop_upstream();
  if (recorder_) recorder_->stop();
  if (outbox_) outbox_->stop();
}

}  // namespace roomd
