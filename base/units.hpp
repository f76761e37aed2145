// Durations ("500ms", "10s", "5m", "1h", "30d") and sizes ("64KiB", "256MiB") as written
// in the config: read by the loader and by drivers' typed settings, and written the same way
// in every message, so what a message says can be pasted back into the config.
#pragma once

#include "base/asio.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace roomd {

std::optional<Duration> parse_duration(std::string_view text);
// The largest unit that holds `d` exactly: "250ms", "1500ms", "30s", "5m", "30d".
std::string duration_text(Duration d);
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace roomd
