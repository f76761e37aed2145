// The simulated projector behind the PJLink simulator: power cycle with warm-up and cool-down,
// inputs, AV mute, lamp hours and error status, answering one class 1 command line at a time.
// Pure (no I/O, time passed in) so the TCP front end stays thin and the rules are easy to test.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd::pjlink {

// Values are the digits PJLink reports for `POWR ?`.
enum class PowerState { standby = 0, on = 1, cooling = 2, warming = 3 };

// Everything the simulator can be configured with. Flat on purpose: `roomd simulate pjlink`
// maps command-line flags onto it one to one.
struct SimulatorOptions {
  // Network (used by PjlinkSimulator only).
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;  // 0: ephemeral, read the real one from PjlinkSimulator::port()
  std::string password;    // empty: no authentication (`PJLINK 0`)
  // A real projector drops a connection that stays silent for 30 s; 0 keeps it open.
  std::chrono::milliseconds idle_timeout{30000};

  // Device.
  bool powered_on = false;  // start on (the demo), instead of in standby
  std::chrono::milliseconds warmup{2000};
  std::chrono::milliseconds cooldown{2000};
  std::string name = "roomd PJLink simulator";
  std::string manufacturer = "roomd";
  std::string product = "Simulated Projector";
  std::string info = "PJLink class 1 simulator";
  // Inputs that exist, as PJLink's two digits (type 1-5, number 1-9); the first is selected
  // at start.
  std::vector<std::string> inputs{"11", "12", "31", "32", "51"};
  int lamp_hours = 0;
  // How long the lamp must burn to add one hour; shorten it to watch hours count in a demo.
  std::chrono::milliseconds lamp_hour{std::chrono::hours(1)};
};

class SimState {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit SimState(const SimulatorOptions& options);

  // Answers one command line (CR and any digest already removed) without the trailing CR.
  // nullopt: the line is not a PJLink command and a device would stay silent.
  std::optional<std::string> handle(std::string_view line, TimePoint now);

  PowerState power(TimePoint now) const;
  const std::string& input() const { return input_; }
  bool video_muted() const { return video_muted_; }
  bool audio_muted() const { return audio_muted_; }
  int lamp_hours(TimePoint now) const;
  const std::string& errors() const { return errors_; }

  // Six digits (fan, lamp, temperature, cover, filter, other), each 0 ok, 1 warning, 2 error;
  // throws std::invalid_argument otherwise.
  void set_errors(std::string errors);
  void set_lamp_hours(int hours, TimePoint now);
  // Some projectors refuse input and mute changes until warm-up ends (ERR3).
  void set_busy_while_warming(bool busy) { busy_while_warming_ = busy; }

 private:
  std::string power_command(std::string_view param, TimePoint now);
  std::string input_command(std::string_view param, TimePoint now);
  std::string mute_command(std::string_view param, TimePoint now);
  std::string lamp_answer(TimePoint now) const;
  // Commits a warm-up or cool-down that has run its course by `now`.
  void settle(TimePoint now);
  // Inputs and mutes can change only while the projector is on (or warming, unless busy).
  bool accepts_av_changes(TimePoint now) const;
  bool lamp_on() const { return phase_ == PowerState::warming || phase_ == PowerState::on; }

  SimulatorOptions options_;
  PowerState phase_ = PowerState::standby;
  TimePoint phase_end_{};
  std::string input_;
  bool video_muted_ = false;
  bool audio_muted_ = false;
  std::string errors_ = "000000";
  int lamp_base_hours_ = 0;
  std::chrono::steady_clock::duration lamp_burned_{};  // since lamp_base_hours_ was set
  TimePoint lamp_on_since_{};
  bool busy_while_warming_ = false;
};

}  // namespace roomd::pjlink
