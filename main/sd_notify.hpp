// systemd readiness and watchdog notifications, spoken directly on $NOTIFY_SOCKET so the
// daemon has no hard dependency on libsystemd. Does nothing outside systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace roomd {

// Sends one notification ("READY=1", "WATCHDOG=1", "STOPPING=1"); false if not under systemd.
bool sd_notify(std::string_view state);
// Half of $WATCHDOG_USEC, the interval at which the watchdog should be fed, if enabled.
std::optional<std::chrono::milliseconds> watchdog_interval();

}  // namespace roomd
