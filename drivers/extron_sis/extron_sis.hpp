// Extron switchers speaking SIS (Simple Instruction Set) over telnet (TCP 23) or RS-232: ties
// per output and layer, simple input switching, volume and audio/video mute, with the login
// handshake, verbose mode 3 for front-panel changes, and a keep-alive before the idle timeout.
#pragma once

#include "drivers/extron_sis/sis_codec.hpp"
#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/driver_info.hpp"
#include "runtime/sdk/methods.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace roomd::extron {

class ExtronSis final : public Driver {
 public:
  static DriverInfo info();
  static void expose(Methods<ExtronSis>& m);

  Task<Json> tie(int input, int output, std::string layer);
  Task<int> switch_to(int input);
  Task<int> volume(int level);
  Task<bool> mute(bool on);
  Task<bool> audio_mute(bool on);
  Task<bool> video_mute(bool on);
  Task<std::string> query_firmware();

  Task<void> on_load() override;
  Task<void> connected() override;
  void disconnected() override;
  Received received(std::string_view frame, Command* pending) override;

 private:
  enum class Phase { greeting, password_sent, refused, ready };

  Task<Json> command(std::string bytes, std::string name, int priority);
  Task<bool> set_mute(char code, bool on);
  Task<void> keepalive();
  Task<void> after_login();
  Task<void> login_deadline(std::uint64_t link, bool banner_seen);
  void prompt();
  void refused(std::string_view how);
  void logged_in(std::string_view frame);
  void go_ready(std::string_view why);
  void apply_tie(const TieReport& tie);
  Received answer(std::string_view frame, Command* pending);
  int to_device_volume(int level) const;
  int from_device_volume(int value) const;

  Phase phase_ = Phase::greeting;
  std::uint64_t link_ = 0;  // counts connections, so a timer from an earlier one does nothing
  bool banner_seen_ = false;
};

}  // namespace roomd::extron
