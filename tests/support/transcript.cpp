#include "tests/support/transcript.hpp"

#include "tests/support/exec.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <utility>

namespace roomd::test {

std::string from_hex(std::string_view text) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < text.size(); i += 3)
    bytes += static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16));
  return bytes;
}

Transcript::Transcript(const std::string& driver, const Json& settings)
    : FakeLineModule(driver, settings) {
  settle();  // started and connected: what the device sends from now on arrives
}

Transcript::Transcript(const std::string& driver, const Json& settings,
                       std::shared_ptr<FakeModbusBus> bus)
    : FakeLineModule(driver, settings, bus), bus_(std::move(bus)) {
  settle();
}

Transcript& Transcript::exec(std::string method, Json args) {
  auto call = std::make_shared<Call>();
  call->method = method;
  last_ = call;
  module->exec(std::move(method), std::move(args), [call](std::exception_ptr error, Json value) {
    call->done = true;
    call->value = std::move(value);
    call->error = error_text(error);
  });
  settle();
  return *this;
}

Transcript& Transcript::should_send(std::string_view bytes) {
  settle();
  const auto unread = line.written().substr(read_);
  INFO("the module should send \"" << bytes << "\" next; it sent \"" << unread << "\"");
  REQUIRE(unread.substr(0, bytes.size()) == bytes);
  read_ += bytes.size();
  return *this;
}

Transcript& Transcript::should_send_later(std::string_view bytes) {
  run_until(io, [&] { return line.written().size() >= read_ + bytes.size(); });
  return should_send(bytes);
}

Transcript& Transcript::should_resend(std::string_view bytes) {
  return should_send_later(bytes);
}

Transcript& Transcript::sends_nothing() {
  settle();
  const auto unread = line.written().substr(read_);
  INFO("the module sent \"" << unread << "\"");
  REQUIRE(unread.empty());
  return *this;
}

Transcript& Transcript::responds(std::string bytes) {
  device_sends(std::move(bytes));
  return *this;
}

Transcript& Transcript::drops_link() {
  line.disconnect();
  settle();
  return *this;
}

Transcript& Transcript::accepts_link() {
  line.connect();
  settle();
  return *this;
}

const Transcript::Call& Transcript::last_completed() const {
  REQUIRE(last_);
  INFO("exec " << last_->method);
  REQUIRE(last_->done);
  return *last_;
}

Transcript& Transcript::expect_result(const Json& value) {
  settle();
  const auto& call = last_completed();
  INFO("exec " << call.method << " failed: " << call.error);
  REQUIRE(call.error.empty());
  CHECK(call.value == value);
  return *this;
}

Transcript& Transcript::expect_error(std::initializer_list<std::string_view> parts) {
  settle();
  const auto& call = last_completed();
  INFO("exec " << call.method << " answered " << call.value.dump());
  REQUIRE_FALSE(call.error.empty());
  for (auto part : parts) CHECK_THAT(call.error, Catch::Contains(std::string(part)));
  return *this;
}

Transcript& Transcript::expect_pending() {
  settle();
  REQUIRE(last_);
  CHECK_FALSE(last_->done);
  return *this;
}

Transcript& Transcript::wait_for_completion() {
  REQUIRE(last_);
  REQUIRE(run_until(io, [call = last_] { return call->done; }));
  settle();
  return *this;
}

Transcript& Transcript::expect_status(const std::string& name, const Json& value) {
  settle();
  INFO("status " << name);
  CHECK(state(name) == value);
  return *this;
}

Transcript& Transcript::expect_alert(const std::string& key, AlertSeverity severity,
                                     std::string_view title_part) {
  settle();
  INFO("alert " << key);
  auto alert = alerts.find(key);
  REQUIRE(alert);
  CHECK(to_string(alert->severity) == std::string(to_string(severity)));
  CHECK(alert->title.find(title_part) != std::string::npos);
  return *this;
}

Transcript& Transcript::expect_no_alert(const std::string& key) {
  settle();
  INFO("alert " << key);
  CHECK_FALSE(alerts.find(key));
  return *this;
}

Transcript& Transcript::expect_log(LogLevel level, std::initializer_list<std::string_view> parts) {
  settle();
  bool found = false;
  for (const auto& message : logged(level)) {
    bool all = true;
    for (auto part : parts) all = all && message.find(part) != std::string::npos;
    found = found || all;
  }
  INFO("no log record at " << to_string(level) << " or above holds every expected part");
  CHECK(found);
  return *this;
}

Transcript& Transcript::should_request(std::string_view request) {
  REQUIRE(bus_);
  settle();
  CHECK(bus_->next_request() == request);
  return *this;
}

Transcript& Transcript::bus_responds(modbus::Result result) {
  REQUIRE(bus_);
  REQUIRE(bus_->waiting() > 0);
  bus_->answer(std::move(result));
  settle();
  return *this;
}

std::size_t Transcript::bus_waiting() const {
  return bus_ ? bus_->waiting() : 0;
}

const Json& Transcript::result() const {
  return last_completed().value;
}

const std::string& Transcript::error() const {
  return last_completed().error;
}

}  // namespace roomd::test
