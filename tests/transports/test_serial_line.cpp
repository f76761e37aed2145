#include "transports/serial_line.hpp"

#include "transports/serial_error.hpp"

#include <catch2/catch.hpp>

#include <string>

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

using roomd::SerialError;
using roomd::SerialLine;
using roomd::SerialLineConfig;

namespace {

// A pseudo-terminal pair: the test keeps the master, the code under test opens the slave.
struct Pty {
  Pty() {
    char name[128] = {};
    REQUIRE(::openpty(&master, &slave, name, nullptr, nullptr) == 0);
    slave_path = name;
  }
  ~Pty() {
    ::close(master);
    ::close(slave);
  }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  int master = -1;
  int slave = -1;
  std::string slave_path;
};

SerialLineConfig line(int baud, int data_bits, const char* parity, int stop_bits,
                      const char* flow_control) {
  return {.baud = baud,
          .data_bits = data_bits,
          .parity = parity,
          .stop_bits = stop_bits,
          .flow_control = flow_control};
}

termios applied(const SerialLineConfig& config) {
  termios t{};
  t.c_lflag = ICANON | ECHO | ISIG;  // cooked, as a fresh tty starts
  t.c_oflag = OPOST;
  t.c_iflag = ICRNL;
  roomd::apply_line_settings(config, t);
  return t;
}

}  // namespace

TEST_CASE("serial line: the standard baud rates", "[serial]") {
  const auto& rates = roomd::kStandardBaudRates;
  REQUIRE(rates.size() == 30);
  CHECK(rates.front() == 50);
  CHECK(rates.back() == 4000000);
  CHECK(roomd::is_standard_baud_rate(9600));
  CHECK(roomd::is_standard_baud_rate(115200));
  CHECK_FALSE(roomd::is_standard_baud_rate(12345));
  CHECK_FALSE(roomd::is_standard_baud_rate(0));
}

TEST_CASE("serial line: settings become termios flags", "[serial]") {
  const termios t7e2 = applied(line(19200, 7, "even", 2, "rtscts"));
  CHECK(::cfgetospeed(&t7e2) == B19200);
  CHECK(::cfgetispeed(&t7e2) == B19200);
  CHECK((t7e2.c_cflag & CSIZE) == CS7);
  CHECK((t7e2.c_cflag & PARENB) != 0);
  CHECK((t7e2.c_cflag & PARODD) == 0);
  CHECK((t7e2.c_cflag & CSTOPB) != 0);
  CHECK((t7e2.c_cflag & CRTSCTS) != 0);
  CHECK((t7e2.c_iflag & (IXON | IXOFF)) == 0);
  CHECK((t7e2.c_cflag & (CLOCAL | CREAD)) == (CLOCAL | CREAD));
  // Raw: no line editing, echo, signals or output processing.
  CHECK((t7e2.c_lflag & (ICANON | ECHO | ISIG)) == 0);
  CHECK((t7e2.c_oflag & OPOST) == 0);
  CHECK((t7e2.c_iflag & ICRNL) == 0);
  CHECK(t7e2.c_cc[VMIN] == 1);
  CHECK(t7e2.c_cc[VTIME] == 0);

  const termios t5o1 = applied(line(300, 5, "odd", 1, "xonxoff"));
  CHECK(::cfgetospeed(&t5o1) == B300);
  CHECK((t5o1.c_cflag & CSIZE) == CS5);
  CHECK((t5o1.c_cflag & (PARENB | PARODD)) == (PARENB | PARODD));
  CHECK((t5o1.c_cflag & CSTOPB) == 0);
  CHECK((t5o1.c_cflag & CRTSCTS) == 0);
  CHECK((t5o1.c_iflag & (IXON | IXOFF)) == (IXON | IXOFF));

  const termios t8n1 = applied(line(4000000, 8, "none", 1, "none"));
  CHECK(::cfgetospeed(&t8n1) == B4000000);
  CHECK((t8n1.c_cflag & CSIZE) == CS8);
  CHECK((t8n1.c_cflag & (PARENB | PARODD | CSTOPB | CRTSCTS)) == 0);
  CHECK((t8n1.c_iflag & (IXON | IXOFF | IXANY)) == 0);
}

TEST_CASE("serial line: invalid settings are explained", "[serial]") {
  CHECK(roomd::check_line_settings(line(9600, 8, "none", 1, "none")).empty());
  CHECK(roomd::check_line_settings(line(12345, 8, "none", 1, "none")) ==
        "unsupported baud rate 12345 (use a standard rate such as 9600, 19200, 38400, 57600 or "
        "115200)");
  CHECK(roomd::check_line_settings(line(9600, 9, "none", 1, "none")) ==
        "data bits must be 5-8, got 9");
  CHECK(roomd::check_line_settings(line(9600, 8, "mark", 1, "none")) ==
        "parity must be none, even or odd, got mark");
  CHECK(roomd::check_line_settings(line(9600, 8, "none", 3, "none")) ==
        "stop bits must be 1 or 2, got 3");
  CHECK(roomd::check_line_settings(line(9600, 8, "none", 1, "dtr")) ==
        "flow control must be none, rtscts or xonxoff, got dtr");
}

TEST_CASE("serial line: a pty is opened non-blocking and configured with termios", "[serial]") {
  Pty pty;
  SerialLine opened = SerialLine::open(pty.slave_path, line(57600, 8, "odd", 2, "rtscts"));
  REQUIRE(opened.is_open());
  CHECK_FALSE(opened.error());
  CHECK(opened.message().empty());
  // libserialport does not know ptys; termios did the work.
  CHECK_FALSE(opened.configured_by_libserialport());
  CHECK((::fcntl(opened.fd(), F_GETFL) & O_NONBLOCK) != 0);
  CHECK((::fcntl(opened.fd(), F_GETFD) & FD_CLOEXEC) != 0);

  termios t{};
  REQUIRE(::tcgetattr(pty.slave, &t) == 0);
  CHECK(::cfgetospeed(&t) == B57600);
  CHECK((t.c_cflag & CSTOPB) != 0);
  CHECK((t.c_cflag & CRTSCTS) != 0);
  // The pty driver forces CS8 and clears PARENB, but keeps PARODD.
  CHECK((t.c_cflag & PARODD) != 0);
  CHECK((t.c_lflag & ICANON) == 0);

  const int fd = opened.release();
  CHECK_FALSE(opened.is_open());
  CHECK(::close(fd) == 0);
}

TEST_CASE("serial line: open errors say what to check", "[serial]") {
  const SerialLine missing =
      SerialLine::open("/dev/ttyUSB-roomd-test", line(9600, 8, "none", 1, "none"));
  CHECK_FALSE(missing.is_open());
  CHECK(missing.error() == SerialError::no_such_port);
  CHECK(missing.message() ==
        "cannot open serial port /dev/ttyUSB-roomd-test: No such file or directory (is the "
        "adapter plugged in? check with roomd ports)");

  const SerialLine not_tty = SerialLine::open("/dev/null", line(9600, 8, "none", 1, "none"));
  CHECK_FALSE(not_tty.is_open());
  CHECK(not_tty.error() == SerialError::not_a_serial_port);
  CHECK(not_tty.message() == "cannot open serial port /dev/null: not a serial port");

  Pty pty;
  const SerialLine bad_baud = SerialLine::open(pty.slave_path, line(12345, 8, "none", 1, "none"));
  CHECK_FALSE(bad_baud.is_open());
  CHECK(bad_baud.error() == SerialError::unsupported_baud);
  CHECK(bad_baud.message() == "cannot configure serial port " + pty.slave_path +
                                  ": unsupported baud rate 12345 (use a standard rate such as "
                                  "9600, 19200, 38400, 57600 or 115200)");

  CHECK(SerialLine::open_error(EACCES).message() ==
        "Permission denied (is the roomd user in the dialout group?)");
  CHECK(SerialLine::open_error(EACCES) == SerialError::permission_denied);
  CHECK(SerialLine::open_error(ENXIO).message() ==
        "No such device (is the adapter plugged in? check with roomd ports)");
  CHECK(SerialLine::open_error(EBUSY).message() ==
        "Device or resource busy (is another program using the port?)");
  CHECK(SerialLine::open_error(EIO) ==
        boost::system::error_code(EIO, boost::system::system_category()));
}

TEST_CASE("serial line: a port without permission names the dialout group", "[serial]") {
  // Root opens anything; the message itself is checked through open_error(EACCES) above.
  if (::geteuid() == 0) return;
  Pty pty;
  REQUIRE(::fchmod(pty.slave, 0) == 0);
  const SerialLine denied = SerialLine::open(pty.slave_path, line(9600, 8, "none", 1, "none"));
  CHECK(denied.error() == SerialError::permission_denied);
  CHECK(denied.message() == "cannot open serial port " + pty.slave_path +
                                ": Permission denied (is the roomd user in the dialout group?)");
}
