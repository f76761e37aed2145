#include "uplink/mqtt/mqtt_connection_log.hpp"

#include "base/units.hpp"

namespace roomd {

namespace {

std::string rounded(Clock::duration d) {
  return duration_text(std::chrono::duration_cast<std::chrono::seconds>(d));
}

}  // namespace

MqttConnectionLog::MqttConnectionLog(std::string endpoint, Emit emit, Duration summary_every)
    : endpoint_(std::move(endpoint)), emit_(std::move(emit)), summary_every_(summary_every) {}

void MqttConnectionLog::connected(std::string_view how, Clock::time_point now) {
  std::string line = "connected to MQTT broker " + endpoint_ + " (" + std::string(how) + ")";
  if (failures_ > 0)
    line += " after " + std::to_string(failures_) + " failed attempts in " +
            rounded(now - outage_since_);
  emit_(LogLevel::info, std::move(line));
  failures_ = 0;
  last_reason_.clear();
  outage_since_ = {};
}

void MqttConnectionLog::lost(std::string_view reason, Clock::time_point now) {
  emit_(LogLevel::warn, "lost the connection to MQTT broker " + endpoint_ + ": " +
                            std::string(reason) + "; reconnecting");
  failures_ = 0;
  last_reason_.clear();
  outage_since_ = now;
  last_warning_ = now;
}

void MqttConnectionLog::failed(const std::string& reason, Clock::time_point now) {
  if (outage_since_ == Clock::time_point{}) outage_since_ = now;
  ++failures_;
  if (reason != last_reason_) {
    emit_(LogLevel::warn, reason + "; retrying with backoff");
    last_reason_ = reason;
    last_warning_ = now;
  } else if (now - last_warning_ >= summary_every_) {
    emit_(LogLevel::warn, "still no connection to MQTT broker " + endpoint_ + " after " +
                              std::to_string(failures_) + " attempts in " +
                              rounded(now - outage_since_) + "; last error: " + reason);
    last_warning_ = now;
  }
  emit_(LogLevel::debug, "MQTT broker " + endpoint_ + ": attempt " + std::to_string(failures_) +
                             " failed: " + reason);
}

void MqttConnectionLog::waiting(Duration delay) {
  emit_(LogLevel::debug,
        "MQTT broker " + endpoint_ + ": next attempt in " + std::to_string(delay.count()) + "ms");
}

}  // namespace roomd
