// PJLink class 1 projectors (TCP 4352, CR-terminated ASCII): power, input, A/V mute,
// errors, lamp hours and name, with the MD5 password handshake. Polls power and input.
#pragma once

#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/driver_info.hpp"
#include "runtime/sdk/methods.hpp"

#include <array>
#include <string>

namespace roomd::pjlink {

class Pjlink final : public Driver {
 public:
  static DriverInfo info();
  static void expose(Methods<Pjlink>& m);

  Task<bool> power(bool on);
  Task<bool> query_power();
  Task<std::string> switch_to(std::string input);
  Task<std::string> query_input();
  Task<Json> mute(std::string what, bool on);
  Task<Json> query_mute();
  Task<Json> query_errors();
  Task<int> query_lamp_hours();
  Task<std::string> query_name();

  Task<void> on_load() override;
  Task<void> connected() override;
  Received received(std::string_view frame, Command* pending) override;

 private:
  Task<Json> command(std::string body, SendOptions options);
  Task<void> poll();
  // The part of a poll that follows a known power state: input and mute, when on.
  Task<void> poll_details();
  Task<void> poll_errors();
  // ERST's six digits as alerts (driver/<id>/lamp, .../filter, ...): raised at a warning
  // (medium) or an error (high), cleared at 0.
  void report_errors(std::string_view digits);
  void greeting(std::string_view frame);
  // Publishes what an answer reports; false when the value is not one the code can have.
  bool update(std::string_view code, std::string_view value);
  // A status a query has just refreshed, as the method's type.
  template <class T>
  T reported(std::string_view name, std::string_view command) const;

  bool handshake_done_ = false;
  // The ERST digits last turned into alerts; '?' before the first answer of this load, so
  // the first clears what an earlier load left raised.
  std::array<char, 6> reported_ = {'?', '?', '?', '?', '?', '?'};
};

// "digital1" <-> "31": PJLink numbers inputs by type (1 RGB .. 5 network) and index.
std::optional<std::string> input_code(std::string_view name);
std::string input_name(std::string_view code);

}  // namespace roomd::pjlink
