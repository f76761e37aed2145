#include "uplink/openframe/openframe_wire.hpp"

#include <cmath>
#include <ctime>

namespace roomd::openframe {

std::string iso8601(double unix_seconds) {
  const auto seconds = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  const auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(text, n);
}

std::string error_message(std::string_view code, std::string_view message, double now) {
  return to_text(
      Json{{"type", "error"}, {"code", code}, {"message", message}, {"timestamp", iso8601(now)}});
}

std::string confirmation(const Json& topics, double now) {
  return to_text(
      Json{{"type", "subscription_confirmed"}, {"topics", topics}, {"timestamp", iso8601(now)}});
}

std::string event_message(std::string_view event, std::string_view topic, const Json& data,
                          double now, bool envelope) {
  Json message{{"type", envelope ? std::string_view("event") : event}, {"topic", topic}};
  if (envelope) message["event"] = event;
  message["data"] = data;
  message["timestamp"] = iso8601(now);
  return to_text(message);
}

}  // namespace roomd::openframe
