// What systemd hears from a running box (main/sd_notify): READY once it serves, a one-line
// STATUS kept current, the watchdog fed from the event loop itself (a wedged loop stops feeding
// it and systemd restarts the service), STOPPING at a graceful stop. Silent outside systemd.
#pragma once

#include "base/asio.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace roomd {

struct HealthView;

// "3/4 modules connected, 1 failed, 2 API clients, outbox 12 pending": the failed part only
// when a module failed, the outbox part only with an outbox.
std::string service_summary(const HealthView& health, std::size_t clients,
                            std::optional<std::uint64_t> outbox_pending);

class ServiceNotifier {
 public:
  using Summary = std::function<std::string()>;

  // `summary` is asked for the STATUS line on the event loop, about once a second.
  ServiceNotifier(asio::io_context& io, Summary summary);
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  // READY=1 and the first STATUS; starts feeding the watchdog and refreshing the status.
  void ready();
  // RELOADING=1 as a reload starts (with MONOTONIC_USEC, which Type=notify-reload needs), and
  // READY=1 with the status once it ended, applied or not.
  void reloading();
  void reloaded();
  // STOPPING=1; the watchdog and the status stop (systemd's stop timeout now applies).
  void stopping();

 private:
  void feed_watchdog();
  void refresh_status();
  void schedule_status();

  Summary summary_;
  asio::steady_timer watchdog_;
  asio::steady_timer status_timer_;
  std::optional<Duration> watchdog_every_;
  std::string last_status_;
};

}  // namespace roomd
