// Device bytes made safe for a log line: printable ASCII as is, everything else as \xNN, so
// garbage or binary protocols can be logged without corrupting a terminal or the journal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace roomd {

// Longer input is cut after `limit` characters of output, with "..." appended.
std::string printable(std::string_view bytes, std::size_t limit = 512);

}  // namespace roomd
