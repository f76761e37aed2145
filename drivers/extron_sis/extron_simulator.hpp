// A simulated Extron SIS matrix switcher for the driver's tests, the demo and
// `roomd simulate extron_sis`: banner and optional password login, ties per output and layer,
// volume, mutes, verbose mode with unsolicited front-panel ties, and faults on demand.
#pragma once

#include "drivers/sim/stream_server.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd::extron {

// Flat on purpose: `roomd simulate extron_sis` maps flags onto it one to one.
struct SimulatorOptions {
  std::string password;          // empty: no prompt, logged in at once
  std::string user_password;     // optional second password that logs in as User
  bool refuse_with_e10 = false;  // a wrong password answers E10 instead of asking again
  int inputs = 8;
  int outputs = 8;
  int volume_max = 100;   // device range 0-volume_max
  bool zero_pad = false;  // "Out02 In01 All" instead of "Out2 In1 All"
  std::string model = "DXP 88 HDMI";
  std::string firmware = "1.02";
  std::string part = "60-1234-01";
  // Telnet sessions that stay silent this long are closed (Extron's default is 5 minutes);
  // 0 keeps them open.
  std::chrono::milliseconds idle_timeout{0};
};

enum class Fault {
  none,
  no_answer,        // commands are read (and recorded) but neither executed nor answered
  error_reply,      // every command answers the fault's error code (E10, E22, ...)
  drop_connection,  // the next command closes its connection unanswered; then back to none
  garbage,          // every answer is preceded by a line of random high bytes
};

// The switcher's state and the SIS commands on it; no I/O, so the rules are easy to test.
class SisDevice {
 public:
  explicit SisDevice(const SimulatorOptions& options);

  // Answers one complete command (its terminator included, "1*2!", "\x1b" "3CV\r") without
  // the trailing CR LF. `verbose` is the connection's verbose mode; escape commands set it.
  std::string handle(std::string_view command, int& verbose);

  // A tie made on the front panel; returns the line a verbose connection reports.
  std::string front_panel_tie(int input, int output, char layer);

  int video_tie(int output) const;  // 0 untied; -1 no such output
  int audio_tie(int output) const;
  int volume() const { return volume_; }
  bool audio_muted() const { return audio_muted_; }
  bool video_muted() const { return video_muted_; }

 private:
  std::string tie(int input, std::optional<int> output, char layer);
  std::string number(int n) const;
  static const char* layer_word(char layer);

  SimulatorOptions options_;
  std::vector<int> video_;  // per output, 0 untied
  std::vector<int> audio_;
  int volume_;
  bool audio_muted_ = false;
  bool video_muted_ = false;
};

// Runs on the executor it is given; call every method from that executor's thread. Device
// state is shared by all lines and survives stop_tcp() and listen_tcp().
class ExtronSimulator {
 public:
  ExtronSimulator(boost::asio::any_io_executor ex, SimulatorOptions options);
  ~ExtronSimulator();
  ExtronSimulator(const ExtronSimulator&) = delete;
  ExtronSimulator& operator=(const ExtronSimulator&) = delete;

  // TCP (telnet): banner, then the password prompt when a password is set. Port 0 picks an
  // ephemeral one (or the earlier one after stop_tcp()). Throws system_error.
  std::uint16_t listen_tcp(const std::string& bind = "127.0.0.1", std::uint16_t port = 0);
  void stop_tcp();
  // RS-232 on a pseudo-terminal: no banner and no password, like the real serial port.
  std::string open_pty(const std::string& link = "");
  void close_pty();
  std::uint16_t port() const;
  const std::string& pty_path() const;
  std::size_t connections() const;
  void drop_clients();

  void set_fault(Fault fault, std::string error_code = "E10");
  // A tie made on the front panel: changes the state and tells every logged-in line in
  // verbose mode 1 or 3.
  void front_panel_tie(int input, int output, char layer = '!');
  // Bytes as they are to every line.
  void send_raw(const std::string& bytes);

  const SisDevice& device() const;
  // Every command received, exactly as sent (terminator included), in order; a password line
  // is recorded with its CR.
  std::vector<std::string> received() const;
  void clear_received();

 private:
  struct Core;
  class Session;
  std::shared_ptr<Core> core_;
  sim::StreamServer server_;
};

}  // namespace roomd::extron
