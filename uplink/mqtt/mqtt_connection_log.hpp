// What the MQTT client says about its connection: a line when the state or the failure
// changes, a summary every few minutes while the broker stays unreachable, and each attempt
// at debug only, so a broker that is down for a day does not flood the log.
#pragma once

#include "base/asio.hpp"
#include "base/log_level.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace roomd {

class MqttConnectionLog {
 public:
  using Emit = std::function<void(LogLevel, std::string)>;
  static constexpr Duration kSummaryEvery{std::chrono::minutes(5)};

  MqttConnectionLog(std::string endpoint, Emit emit, Duration summary_every = kSummaryEvery);

  // `how`: "MQTT 5, TLS"; mentions the outage it ends, if any.
  void connected(std::string_view how, Clock::time_point now);
  // An established connection ended.
  void lost(std::string_view reason, Clock::time_point now);
  // An attempt failed; `reason` is the whole sentence (endpoint, what failed, what to check).
  void failed(const std::string& reason, Clock::time_point now);
  // The wait before the next attempt (debug).
  void waiting(Duration delay);

 private:
  std::string endpoint_;
  Emit emit_;
  Duration summary_every_;
  int failures_ = 0;
  std::string last_reason_;
  Clock::time_point outage_since_{};
  Clock::time_point last_warning_{};
};

}  // namespace roomd
