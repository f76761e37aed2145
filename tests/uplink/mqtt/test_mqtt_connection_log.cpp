#include "uplink/mqtt/mqtt_connection_log.hpp"

#include "tests/uplink/mqtt/log_capture.hpp"

#include <catch2/catch.hpp>

using roomd::Clock;
using roomd::LogLevel;
using roomd::MqttConnectionLog;
using namespace std::chrono_literals;

using Capture = roomd::test::LogCapture;

TEST_CASE("a broker that stays down gives one warning, then a summary per period") {
  Capture capture;
  MqttConnectionLog log("broker:1883", capture.sink(), 5min);
  const auto t0 = Clock::now();
  for (int i = 0; i < 100; ++i)
    log.failed("cannot connect to MQTT broker broker:1883: refused", t0 + i * 1s);
  // 100 s of failures: only the first is a warning.
  REQUIRE(capture.at_least(LogLevel::warn) ==
          std::vector<std::string>{
              "cannot connect to MQTT broker broker:1883: refused; retrying with backoff"});
  log.failed("cannot connect to MQTT broker broker:1883: refused", t0 + 301s);
  auto warnings = capture.at_least(LogLevel::warn);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[1] ==
        "still no connection to MQTT broker broker:1883 after 101 attempts in 301s; last error: "
        "cannot connect to MQTT broker broker:1883: refused");
  // Every attempt is at debug.
  CHECK(capture.lines.size() == 101 + 2);

  // A different failure is a change of state: a warning at once.
  log.failed("cannot resolve the MQTT broker's host broker", t0 + 302s);
  CHECK(capture.at_least(LogLevel::warn).size() == 3);

  log.connected("MQTT 5", t0 + 310s);
  CHECK(capture.lines.back() ==
        std::pair{LogLevel::info, std::string("connected to MQTT broker "
                                              "broker:1883 (MQTT 5) after "
                                              "102 failed attempts in 310s")});
}

TEST_CASE("a lost connection is one warning, and the next failure warns again") {
  Capture capture;
  MqttConnectionLog log("broker:1883", capture.sink());
  const auto t0 = Clock::now();
  log.connected("MQTT 3.1.1, TLS", t0);
  CHECK(capture.lines.back().second == "connected to MQTT broker broker:1883 (MQTT 3.1.1, TLS)");
  log.lost("The connection was lost", t0 + 1s);
  CHECK(capture.lines.back() ==
        std::pair{LogLevel::warn, std::string("lost the connection to MQTT broker broker:1883: "
                                              "The connection was lost; reconnecting")});
  log.failed("refused", t0 + 2s);
  log.failed("refused", t0 + 3s);
  CHECK(capture.at_least(LogLevel::warn).size() == 2);
  log.waiting(std::chrono::milliseconds(1500));
  CHECK(capture.lines.back() ==
        std::pair{LogLevel::debug, std::string("MQTT broker broker:1883: next attempt in 1500ms")});
  log.connected("MQTT 5", t0 + 4s);
  CHECK(capture.lines.back().second ==
        "connected to MQTT broker broker:1883 (MQTT 5) after 2 failed attempts in 3s");
}
