// A Samsung display speaking MDC over TCP (1515) and a pseudo-terminal (RS-232), for the
// driver's tests, the demo and `roomd simulate samsung_mdc`: believable power, input, volume
// and mute per display id, and faults a test can switch on to see how a driver copes.
#pragma once

#include "drivers/sim/stream_server.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace roomd::samsung_mdc {

enum class Fault {
  none,
  no_answer,        // commands are read (and recorded) but neither executed nor answered
  nak,              // every command is answered NAK with the fault's error byte
  drop_connection,  // the next command hangs up its line unanswered; then back to none
  garbage,          // every answer is preceded by noise and a corrupt 0xAA header
  bad_checksum,     // answers carry a wrong checksum
  wrong_id,         // answers claim to come from another display id (id + 1)
};

struct DisplayState {
  bool power = false;
  int volume = 20;  // 0-100
  bool mute = false;
  std::uint8_t input = 0x21;  // HDMI1
  std::uint8_t aspect = 0x10;
};

// Error bytes this simulator puts in its own NAKs (a real display's codes vary by model).
constexpr std::uint8_t kNakUnknownCommand = 0x01;
constexpr std::uint8_t kNakBadValue = 0x02;

// Runs on the executor it is given; call every method from that executor's thread. State
// belongs to the displays, so it is shared by all lines and survives stop() and restarts.
class MdcSimulator {
 public:
  // Answers only the display ids given (a daisy chain on one RS-232 line has several).
  explicit MdcSimulator(boost::asio::any_io_executor ex, std::vector<std::uint8_t> ids = {1});
  ~MdcSimulator();
  MdcSimulator(const MdcSimulator&) = delete;
  MdcSimulator& operator=(const MdcSimulator&) = delete;

  // TCP on loopback by default; port 0 picks one (and reuses it after stop_tcp()).
  std::uint16_t listen_tcp(std::uint16_t port = 0, const std::string& bind = "127.0.0.1");
  void stop_tcp();
  std::uint16_t port() const;
  // A pseudo-terminal for serial drivers; returns the path to open (see StreamServer).
  std::string open_pty(const std::string& link = "");
  void close_pty();
  void drop_clients();
  std::size_t connections() const;
  void stop();

  // `error_byte` is what Fault::nak answers.
  void set_fault(Fault fault, std::uint8_t error_byte = kNakBadValue);
  Fault fault() const;

  // Throws std::out_of_range for an id this simulator does not answer.
  DisplayState state(std::uint8_t id = 1) const;
  void set_state(std::uint8_t id, DisplayState state);  // front-panel or remote changes

  // Writes bytes as they are to every open line.
  void send_raw(const std::string& bytes);

  // Every whole frame received (any id, any checksum) and every answer sent, in order.
  std::vector<std::string> received() const;
  std::vector<std::string> sent() const;
  void clear_log();

 private:
  struct Core;
  class Session;
  std::shared_ptr<Core> core_;
  sim::StreamServer server_;
};

}  // namespace roomd::samsung_mdc
