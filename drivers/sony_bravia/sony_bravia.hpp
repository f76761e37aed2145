// Sony Bravia displays over Simple IP control (TCP 20060, or the same frames on RS-232):
// power, input, volume and audio mute, kept current from the display's notify frames and a poll.
// Implements the common display contract (power, switch_to, volume, mute).
#pragma once

#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/driver_info.hpp"
#include "runtime/sdk/methods.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace roomd::sony_bravia {

// Every Simple IP frame: "*S", type (C control, E enquiry, A answer, N notify), a 4-letter
// command, a 16-character parameter and LF.
constexpr std::size_t kFrameSize = 24;
constexpr std::size_t kParamSize = 16;

std::string make_frame(char type, std::string_view command, std::string_view param);
// 16 digits, zero padded: 30 -> "0000000000000030".
std::string number_param(int value);
// The number a 16-digit parameter carries; nullopt unless it is all digits.
std::optional<long long> param_number(std::string_view param);
// A frame as the display sends it: right size, header, type, footer.
bool is_frame(std::string_view bytes);
// "hdmi2" <-> "0000000100000002": the first 8 digits are the input type, the last 8 its number.
std::optional<std::string> input_param(std::string_view name);
std::optional<std::string> input_name(std::string_view param);

class SonyBravia final : public Driver {
 public:
  static DriverInfo info();
  static void expose(Methods<SonyBravia>& m);

  Task<bool> power(bool on);
  Task<std::string> switch_to(std::string input);
  Task<int> volume(int level);
  Task<bool> mute(bool on);
  Task<Json> query_power();
  Task<Json> query_input();
  Task<Json> query_volume();
  Task<Json> query_mute();

  Task<void> on_load() override;
  Task<void> connected() override;
  void disconnected() override;
  Received received(std::string_view frame, Command* pending) override;

 private:
  Task<Json> control(std::string_view command, std::string param, std::string_view name);
  Task<Json> enquire(std::string_view command, std::string_view name, int priority);
  Task<void> poll();
  Received handle(std::string_view frame, Command* pending);
  Received resynchronise(std::string_view chunk, Command* pending);
  // Publishes what a notify or an enquiry answer says; returns the value, null if unreadable.
  Json update(std::string_view command, std::string_view param);

  // Bytes after garbage that broke the 24-byte framing, until a whole frame is seen again.
  std::string carry_;
};

}  // namespace roomd::sony_bravia
