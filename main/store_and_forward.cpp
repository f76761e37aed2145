#include "main/store_and_forward.hpp"

#include "runtime/runtime.hpp"
#include "uplink/core/recorder.hpp"
#include "uplink/core/request_core.hpp"
#include "uplink/mqtt/upstream.hpp"
#include "uplink/mqtt/upstream_metrics.hpp"
#include "uplink/outbox/outbox.hpp"

namespace roomd {

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
    return upstream_metrics(outbox->stats(), upstream);
  };
  if (upstream_) upstream_->start();
}

StoreAndForward::~StoreAndForward() {
  stop();
}

void StoreAndForward::modules_changed(const std::vector<std::string>& removed) {
  if (recorder_) recorder_->refresh_addresses();
  if (upstream_) upstream_->modules_removed(removed);
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
