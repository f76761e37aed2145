// A Sony Bravia display speaking Simple IP control over TCP and a pseudo-terminal, for the
// driver's tests, the demo and `roomd simulate sony_bravia`: believable state, notify frames
// on every change (also from its "remote control"), idle disconnects and deliberate faults.
#pragma once

#include "drivers/sony_bravia/bravia_sim_state.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace roomd::sony_bravia {

enum class Fault {
  none,
  no_answer,        // frames are read (and recorded) but neither executed nor answered
  error_answers,    // every control and enquiry is answered with an all-F parameter
  drop_connection,  // the next frame closes its connection unanswered; then back to none
  garbage,          // the next answer is preceded by options.garbage_length junk bytes; then none
};

// Runs on the executor it is given (single-threaded io_context assumed); call every method
// from that thread. State belongs to the display: shared by all lines, kept across restarts.
class BraviaSimulator {
 public:
  BraviaSimulator(boost::asio::any_io_executor ex, SimulatorOptions options);
  ~BraviaSimulator();
  BraviaSimulator(const BraviaSimulator&) = delete;
  BraviaSimulator& operator=(const BraviaSimulator&) = delete;

  // TCP on options.bind/port (after stop_tcp(), again on the same port). Throws system_error.
  std::uint16_t listen_tcp();
  void stop_tcp();
  std::uint16_t port() const;
  // A pty in raw mode; returns the path a driver opens (and links it at `link` if given).
  std::string open_pty(const std::string& link = "");
  void close_pty();
  void drop_clients();  // hangs up every TCP client, as the display does when idle
  std::size_t connections() const;

  void set_fault(Fault fault);
  Fault fault() const;
  void set_notify_before_answer(bool before);
  // Writes bytes as they are to every line, after anything already queued.
  void send_raw(const std::string& bytes);

  // The remote control: changes state and notifies every line, as a real set does.
  // remote_input throws std::invalid_argument for an input the display does not have.
  void remote_power(bool on);
  void remote_input(const std::string& name);
  void remote_volume(int level);
  void remote_mute(bool on);

  bool power() const;
  std::string input() const;
  int volume() const;
  bool muted() const;

  // Every frame received (LF included), and every frame written (answers, notifies, junk and
  // raw bytes; a broadcast once), in order.
  std::vector<std::string> received() const;
  std::vector<std::string> sent() const;
  void clear_transcript();

 private:
  struct Core;
  class Session;
  std::shared_ptr<Core> core_;
};

}  // namespace roomd::sony_bravia
