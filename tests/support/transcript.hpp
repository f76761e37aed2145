// A driver's behaviour as a sequence of steps in order, read like a PlaceOS driver spec:
//   device.exec("power", {true}).should_send("%1POWR 1\r").responds("%1POWR=OK\r")
//         .expect_result(true).expect_status("power", true);
// Each step is checked as it runs, on a FakeLineModule: no sockets, and no sleeps (only a
// step that waits for the driver's own timeout runs the clock, until the method completes).
#pragma once

#include "tests/support/fake_line_module.hpp"

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace roomd::test {

// "AA 11 01" -> the three bytes: binary protocols' transcripts written as their manuals print
// frames.
std::string from_hex(std::string_view text);

class Transcript : public FakeLineModule {
 public:
  explicit Transcript(const std::string& driver, const Json& settings = Json::object());
  // A Modbus driver's module: unit 1 on `bus`.
  Transcript(const std::string& driver, const Json& settings, std::shared_ptr<FakeModbusBus> bus);

  // Starts a method and lets the module run; the result is checked by a later step.
  Transcript& exec(std::string method, Json args = Json::array());
  // The bytes the module wrote next, exactly; what it wrote after them is left for the next
  // step.
  Transcript& should_send(std::string_view bytes);
  // The same once one of the module's timers has run (a login wait, a keep-alive, which the
  // test sets short): runs the clock until the bytes are written.
  Transcript& should_send_later(std::string_view bytes);
  // The same once the module's reply timeout has passed (which the test sets short): the
  // command is sent again.
  Transcript& should_resend(std::string_view bytes);
  // The module wrote nothing since the last step that read its writes.
  Transcript& sends_nothing();
  // The device sends bytes (greeting, answer, unsolicited report) and the module handles them.
  Transcript& responds(std::string bytes);
  // The device drops the link, or accepts it again.
  Transcript& drops_link();
  Transcript& accepts_link();
  // The last exec has completed with this value (and no error).
  Transcript& expect_result(const Json& value);
  // The last exec has failed with an error that contains every part.
  Transcript& expect_error(std::initializer_list<std::string_view> parts);
  // The last exec has not completed yet.
  Transcript& expect_pending();
  // Runs the clock until the last exec completes: for the driver's reply timeout, which the
  // test sets short.
  Transcript& wait_for_completion();
  // A status variable's value in the state store (null: never published).
  Transcript& expect_status(const std::string& name, const Json& value);
  // The driver's alert `key` is active at `severity` with a title holding `title_part`.
  Transcript& expect_alert(const std::string& key, AlertSeverity severity,
                           std::string_view title_part = "");
  // No alert `key` is active (never raised, or cleared).
  Transcript& expect_no_alert(const std::string& key);
  // A log record at `level` or above contains each part.
  Transcript& expect_log(LogLevel level, std::initializer_list<std::string_view> parts);

  // Modbus drivers: the next request on the bus, as describe_request() writes it, and the
  // slave's answer to it.
  Transcript& should_request(std::string_view request);
  Transcript& bus_responds(modbus::Result result);
  // Requests on the bus that no step has answered.
  std::size_t bus_waiting() const;

  // The last exec's outcome, for checks the steps above do not make.
  const Json& result() const;
  const std::string& error() const;

 private:
  struct Call {
    std::string method;
    bool done = false;
    Json value;
    std::string error;
  };
  const Call& last_completed() const;

  std::shared_ptr<Call> last_;
  std::size_t read_ = 0;  // bytes of line.written() already checked
  std::shared_ptr<FakeModbusBus> bus_;
};

}  // namespace roomd::test
