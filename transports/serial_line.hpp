// Opens a serial port and applies its line settings (baud, data bits, parity, stop bits,
// flow control). Hardware ports are configured through libserialport; anything it cannot
// open (pseudo-terminals, socat, serial-over-IP bridges) is configured with termios.
#pragma once

#include "base/link_config.hpp"

#include <boost/system/error_code.hpp>

#include <span>
#include <string>

#include <termios.h>

namespace roomd {

// One of kStandardBaudRates (base/link_config.hpp), each of which termios has a constant for.
bool is_standard_baud_rate(int baud);

// Why `line` cannot be applied ("unsupported baud rate 12345 (...)"), or "" when it can.
std::string check_line_settings(const SerialLineConfig& line);

// Raw mode with `line` applied to `t`, and VMIN=1/VTIME=0 (not 0/0: see serial_line.cpp);
// `line` must pass check_line_settings. Separate from open() because a pty ignores data bits
// and parity: the tests check those here.
void apply_line_settings(const SerialLineConfig& line, termios& t);

// An open, configured, non-blocking descriptor, closed on destruction unless released.
class SerialLine {
 public:
  // Opens `path` with O_RDWR|O_NOCTTY|O_NONBLOCK|O_CLOEXEC, applies `line` and discards
  // bytes received before the open (a previous session's answers). On failure the result is
  // closed and error()/message() say why: "cannot open serial port /dev/ttyUSB0: Permission
  // denied (is the roomd user in the dialout group?)".
  static SerialLine open(const std::string& path, const SerialLineConfig& line);

  // The error an open(2) that failed with `errno_value` reports: a SerialError for the
  // causes a technician can fix (permissions, unplugged adapter, busy port), else the errno.
  static boost::system::error_code open_error(int errno_value);

  SerialLine() = default;
  ~SerialLine();
  SerialLine(SerialLine&& other) noexcept;
  SerialLine& operator=(SerialLine&& other) noexcept;
  SerialLine(const SerialLine&) = delete;
  SerialLine& operator=(const SerialLine&) = delete;

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Hands the descriptor over (to an Asio stream_descriptor); the line no longer closes it.
  int release();
  void close();

  const boost::system::error_code& error() const { return error_; }
  const std::string& message() const { return message_; }
  // True when libserialport configured the port, false when termios did.
  bool configured_by_libserialport() const { return by_libserialport_; }

 private:
  SerialLine(boost::system::error_code error, std::string message)
      : error_(error), message_(std::move(message)) {}

  int fd_ = -1;
  boost::system::error_code error_;
  std::string message_;
  bool by_libserialport_ = false;
};

}  // namespace roomd
