// A PJLink class 1 projector on TCP, for the driver's tests, the demo and
// `roomd simulate pjlink`: greeting and MD5 authentication, believable power/input/mute/lamp
// state (SimState), and faults a test can switch on to see how a driver copes.
#pragma once

#include "drivers/pjlink/pjlink_sim_state.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace roomd::pjlink {

enum class Fault {
  none,
  no_answer,           // commands are read (and recorded) but neither executed nor answered
  err3_during_warmup,  // INPT and AVMT, set or query, answer ERR3 while warming up
  drop_connection,     // the next command closes its connection unanswered; then back to none
  garbage,             // every answer is preceded by random high bytes and a CR
};

// Runs entirely on the executor it is given (a single-threaded io_context is assumed); call
// every method from that thread. The io_context must outlive the simulator. State belongs to
// the device, so it is shared by all connections and survives stop() and start().
class PjlinkSimulator {
 public:
  PjlinkSimulator(boost::asio::any_io_executor ex, SimulatorOptions opts);
  ~PjlinkSimulator();
  PjlinkSimulator(const PjlinkSimulator&) = delete;
  PjlinkSimulator& operator=(const PjlinkSimulator&) = delete;

  // Binds and listens; returns the port. Throws boost::system::system_error if it cannot.
  // After stop(), start() listens again on the same port even if it was ephemeral, so a test
  // can take a projector off the network and bring it back where the driver expects it.
  std::uint16_t start();
  // Closes the listener and every connection at once. Idempotent; handlers still queued on
  // the executor afterwards only touch state they co-own.
  void stop();
  std::uint16_t port() const;
  // Number of open client connections.
  std::size_t connections() const;

  void set_fault(Fault f);
  Fault fault() const;
  // Writes `bytes` as they are to every connected client, after anything already queued.
  void send_raw(std::string bytes);

  PowerState power_state() const;
  std::string input() const;
  bool video_muted() const;
  bool audio_muted() const;
  int lamp_hours() const;
  void set_lamp_hours(int hours);
  std::string errors() const;
  // Six digits 0-2 (fan, lamp, temperature, cover, filter, other); throws
  // std::invalid_argument otherwise. A 2 among the first four makes POWR 1 answer ERR4.
  void set_errors(std::string errors);

  // Every non-empty line received, in order, without CR and without a valid-looking digest.
  std::vector<std::string> received() const;
  void clear_received();

 private:
  struct Core;
  class Session;
  std::shared_ptr<Core> core_;  // shared with pending handlers, which may outlive *this
};

}  // namespace roomd::pjlink
