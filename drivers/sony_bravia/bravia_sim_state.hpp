// The simulated Bravia behind the simulator: power, inputs, volume and mute, answering one
// Simple IP frame at a time and saying which notify frames a change produces. Pure (no I/O),
// so the byte server stays thin and the rules are easy to test.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd::sony_bravia {

// Everything the simulator can be configured with; `roomd simulate sony_bravia` maps its
// flags onto it one to one.
struct SimulatorOptions {
  // Network (used by BraviaSimulator only).
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;  // 0: ephemeral
  // The display closes a TCP connection that stays silent this long; 0 keeps it open.
  std::chrono::milliseconds idle_timeout{30000};
  // Notify frames of a change go out just before the command's answer instead of after it.
  bool notify_before_answer = false;
  std::size_t garbage_length = 5;  // junk bytes in front of an answer under Fault::garbage

  // Device.
  bool powered_on = false;
  int hdmi_inputs = 4;
  int volume = 20;
};

// What one frame from a client produces: the answer (empty: none) and the notify frames
// every client gets because state changed.
struct SimReply {
  std::string answer;
  std::vector<std::string> notifies;
};

class SimState {
 public:
  explicit SimState(const SimulatorOptions& options);

  // Answers one 24-byte frame; nullopt for frames a display stays silent to (answers and
  // notifies from the client, or bytes that are not a frame).
  std::optional<SimReply> handle(std::string_view frame);

  bool power() const { return power_; }
  const std::string& input() const { return input_; }  // "hdmi1"
  int volume() const { return volume_; }
  bool muted() const { return muted_; }

  // Changes as from the remote control or the front panel, valid in any power state: the
  // notify frame when something changed. set_input throws std::invalid_argument for an input
  // the display does not have.
  std::optional<std::string> set_power(bool on);
  std::optional<std::string> set_input(const std::string& name);
  std::optional<std::string> set_volume(int level);
  std::optional<std::string> set_mute(bool on);

  bool has_input(const std::string& name) const;

 private:
  std::string control(std::string_view command, std::string_view param,
                      std::vector<std::string>& notifies);
  std::string enquiry(std::string_view command) const;

  SimulatorOptions options_;
  bool power_;
  std::string input_ = "hdmi1";
  int volume_;
  bool muted_ = false;
};

// An all-F answer: how the display refuses a command.
std::string error_answer(std::string_view command);

}  // namespace roomd::sony_bravia
