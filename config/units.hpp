// Durations ("500ms", "10s", "5m", "1h", "30d") and sizes ("64KiB", "256MiB") as written
// in the config; shared by the loader and by drivers' typed settings.
#pragma once

#include "runtime/asio.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace roomd {

std::optional<Duration> parse_duration(std::string_view text);
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace roomd
