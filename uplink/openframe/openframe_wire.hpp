// The messages the OpenFrame dialect sends (dialects.md "OpenFrame"), as JSON text: errors,
// confirmations and events, each with an ISO-8601 UTC timestamp; an event in its own shape
// or, for `?envelope=event`, wrapped as {"type": "event", "event": …}.
#pragma once

#include "base/json.hpp"

#include <string>
#include <string_view>

namespace roomd::openframe {

// "2024-03-20T10:00:00Z" for Unix seconds (the fraction is dropped).
std::string iso8601(double unix_seconds);

// {"type": "error", "code", "message", "timestamp"}; `code` is AUTH_ERROR,
// CONNECTION_ERROR or SUBSCRIPTION_ERROR.
std::string error_message(std::string_view code, std::string_view message, double now);

// {"type": "subscription_confirmed", "topics", "timestamp"}.
std::string confirmation(const Json& topics, double now);

// {"type": `event`, "topic", "data", "timestamp"}, or with `envelope`
// {"type": "event", "topic", "event": `event`, "data", "timestamp"}.
std::string event_message(std::string_view event, std::string_view topic, const Json& data,
                          double now, bool envelope);

}  // namespace roomd::openframe
