// Ends a connection without losing its last answer. Closing a socket that still has unread
// client bytes makes the kernel send a reset, which can destroy an answer (a 400, a 503)
// before the client reads it; so the sending side is shut down first and whatever the client
// still sends is read and dropped for a moment (at most kLinger), then the socket is closed.
// Under TLS the goodbye starts with close_notify.
#pragma once

#include "uplink/http/api_stream.hpp"
#include "uplink/http/connection_limits.hpp"

#include <chrono>
#include <string>

namespace roomd {

constexpr auto kLinger = std::chrono::seconds(1);

// Writes `last_words` (bytes for the stream, may be empty) first. The slot is held until the
// close.
void linger_close(ApiStream stream, ConnectionSlot slot, std::string last_words = {});

}  // namespace roomd
