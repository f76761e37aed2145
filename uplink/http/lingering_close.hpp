// Ends a connection without losing its last answer. Closing a socket that still has unread
// client bytes makes the kernel send a reset, which can destroy an answer (a 400, a 503)
// before the client reads it; so the sending side is shut down first and whatever the client
// still sends is read and dropped for a moment (at most kLinger), then the socket is closed.
#pragma once

#include "uplink/http/beast.hpp"
#include "uplink/http/connection_limits.hpp"

#include <chrono>
#include <string>

namespace roomd {

constexpr auto kLinger = std::chrono::seconds(1);

// Writes `last_words` (raw bytes, may be empty) first. The slot is held until the close.
void linger_close(tcp::socket socket, ConnectionSlot slot, std::string last_words = {});

}  // namespace roomd
