#include "main/service_notifier.hpp"

#include "main/sd_notify.hpp"
#include "uplink/core/views.hpp"

#include <boost/asio/io_context.hpp>

#include <ctime>

namespace roomd {

namespace {

constexpr auto kStatusEvery = std::chrono::seconds(1);

}  // namespace

std::string service_summary(const HealthView& health, std::size_t clients,
                            std::optional<std::uint64_t> outbox_pending) {
  std::string text = std::to_string(health.connected) + "/" +
                     std::to_string(health.modules.size()) + " modules connected";
  if (health.failed > 0) text += ", " + std::to_string(health.failed) + " failed";
  text += ", " + std::to_string(clients) + (clients == 1 ? " API client" : " API clients");
  if (outbox_pending) text += ", outbox " + std::to_string(*outbox_pending) + " pending";
  return text;
}

ServiceNotifier::ServiceNotifier(asio::io_context& io, Summary summary)
    : summary_(std::move(summary)),
      watchdog_(io),
      status_timer_(io),
      watchdog_every_(watchdog_interval()) {}

void ServiceNotifier::ready() {
  last_status_ = summary_();
  // One datagram, so systemd never shows the service ready without its status.
  if (!sd_notify("READY=1\nSTATUS=" + last_status_)) return;  // not under systemd
  if (watchdog_every_) feed_watchdog();
  schedule_status();
}

void ServiceNotifier::reloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<std::uint64_t>(now.tv_sec) * 1000000u +
                    static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
  sd_notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=reloading");
}

void ServiceNotifier::reloaded() {
  last_status_ = summary_();
  sd_notify("READY=1\nSTATUS=" + last_status_);
}

void ServiceNotifier::stopping() {
  watchdog_.cancel();
  status_timer_.cancel();
  sd_notify("STOPPING=1\nSTATUS=stopping");
}

// Runs only when the loop gets to this timer: a loop stuck in a handler feeds nothing.
void ServiceNotifier::feed_watchdog() {
  sd_notify("WATCHDOG=1");
  watchdog_.expires_after(*watchdog_every_);
  watchdog_.async_wait([this](const error_code& ec) {
    if (!ec) feed_watchdog();
  });
}

void ServiceNotifier::refresh_status() {
  auto status = summary_();
  if (status != last_status_) {
    sd_notify("STATUS=" + status);
    last_status_ = std::move(status);
  }
  schedule_status();
}

void ServiceNotifier::schedule_status() {
  status_timer_.expires_after(kStatusEvery);
  status_timer_.async_wait([this](const error_code& ec) {
    if (!ec) refresh_status();
  });
}

}  // namespace roomd
