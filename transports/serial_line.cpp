#include "transports/serial_line.hpp"

#include "transports/serial_error.hpp"

#include <libserialport.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace roomd {
namespace {

struct BaudConstant {
  int rate;
  speed_t constant;
};

constexpr std::array<BaudConstant, 30> kBaudConstants = {{
    {50, B50},           {75, B75},           {110, B110},         {134, B134},
    {150, B150},         {200, B200},         {300, B300},         {600, B600},
    {1200, B1200},       {1800, B1800},       {2400, B2400},       {4800, B4800},
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
    {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
    {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
    {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000},
    {3500000, B3500000}, {4000000, B4000000},
}};

// One constant for each rate the config accepts, in the same order.
static_assert([] {
  if (kBaudConstants.size() != kStandardBaudRates.size()) return false;
  for (std::size_t i = 0; i < kBaudConstants.size(); ++i)
    if (kBaudConstants[i].rate != kStandardBaudRates[i]) return false;
  return true;
}());

speed_t baud_constant(int baud) {
  for (const BaudConstant& b : kBaudConstants) {
    if (b.rate == baud) return b.constant;
  }
  return B0;
}

// Closes on scope exit unless released: every early return below stays leak-free.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

struct PortDeleter {
  void operator()(sp_port* port) const { sp_free_port(port); }
};
using PortPtr = std::unique_ptr<sp_port, PortDeleter>;

sp_parity sp_parity_of(const std::string& parity) {
  if (parity == "even") return SP_PARITY_EVEN;
  if (parity == "odd") return SP_PARITY_ODD;
  return SP_PARITY_NONE;
}

sp_flowcontrol sp_flow_of(const std::string& flow) {
  if (flow == "rtscts") return SP_FLOWCONTROL_RTSCTS;
  if (flow == "xonxoff") return SP_FLOWCONTROL_XONXOFF;
  return SP_FLOWCONTROL_NONE;
}

// VMIN=1, VTIME=0: with O_NONBLOCK a read without data fails with EAGAIN, so Asio waits for
// readiness, and a read that returns 0 is a real hang-up. VMIN=0 would make that read return
// 0 at once, which Asio (rightly) takes for end of file.
void set_read_mode(termios& t) {
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
}

enum class SpOutcome { configured, cannot_open, failed };

// Configures a hardware port through libserialport and replaces `fd` with a duplicate of
// its descriptor. `cannot_open` means libserialport does not know the port (a pty, a
// bridge): the caller falls back to termios. `failed` means it opened the port but refused
// a setting, which termios would refuse as well.
SpOutcome configure_with_libserialport(const std::string& path, const SerialLineConfig& line,
                                       FdGuard& fd, SerialError& code, std::string& why) {
  sp_port* raw = nullptr;
  if (sp_get_port_by_name(path.c_str(), &raw) != SP_OK) return SpOutcome::cannot_open;
  const PortPtr port(raw);
  if (sp_open(port.get(), SP_MODE_READ_WRITE) != SP_OK) return SpOutcome::cannot_open;

  // Reads the OS's reason before sp_close() can replace it.
  const auto refused = [&](sp_return result, const std::string& what) {
    why = "the port refused " + what;
    if (result == SP_ERR_FAIL) {
      char* reason = sp_last_error_message();
      if (reason != nullptr) why += std::string(" (") + reason + ")";
      sp_free_error_message(reason);
    }
    sp_close(port.get());
    return SpOutcome::failed;
  };
  code = SerialError::unsupported_baud;
  if (const auto r = sp_set_baudrate(port.get(), line.baud); r != SP_OK) {
    return refused(r, "baud rate " + std::to_string(line.baud));
  }
  code = SerialError::configure_failed;
  if (const auto r = sp_set_bits(port.get(), line.data_bits); r != SP_OK) {
    return refused(r, std::to_string(line.data_bits) + " data bits");
  }
  if (const auto r = sp_set_parity(port.get(), sp_parity_of(line.parity)); r != SP_OK) {
    return refused(r, "parity " + line.parity);
  }
  if (const auto r = sp_set_stopbits(port.get(), line.stop_bits); r != SP_OK) {
    return refused(r, std::to_string(line.stop_bits) + " stop bits");
  }
  if (const auto r = sp_set_flowcontrol(port.get(), sp_flow_of(line.flow_control)); r != SP_OK) {
    return refused(r, "flow control " + line.flow_control);
  }
  int handle = -1;
  int copy = -1;
  if (sp_get_port_handle(port.get(), &handle) == SP_OK && handle >= 0) {
    // F_DUPFD_CLOEXEC: a plain dup() would drop close-on-exec.
    copy = ::fcntl(handle, F_DUPFD_CLOEXEC, 0);
  }
  sp_close(port.get());
  if (copy < 0) return SpOutcome::cannot_open;
  fd.reset(copy);
  // libserialport may open blocking; Asio needs a non-blocking descriptor anyway.
  const int flags = ::fcntl(copy, F_GETFL);
  if (flags >= 0) (void)::fcntl(copy, F_SETFL, flags | O_NONBLOCK);
  // libserialport leaves VMIN=0, which reads as end of file; see set_read_mode().
  termios t{};
  if (::tcgetattr(copy, &t) == 0) {
    set_read_mode(t);
    if (::tcsetattr(copy, TCSANOW, &t) == 0) return SpOutcome::configured;
  }
  why = std::string("cannot set its read mode: ") + std::strerror(errno);
  return SpOutcome::failed;
}

}  // namespace

bool is_standard_baud_rate(int baud) {
  return baud_constant(baud) != B0;
}

std::string check_line_settings(const SerialLineConfig& line) {
  if (!is_standard_baud_rate(line.baud)) {
    return "unsupported baud rate " + std::to_string(line.baud) +
           " (use a standard rate such as 9600, 19200, 38400, 57600 or 115200)";
  }
  if (line.data_bits < 5 || line.data_bits > 8) {
    return "data bits must be 5-8, got " + std::to_string(line.data_bits);
  }
  if (line.parity != "none" && line.parity != "even" && line.parity != "odd") {
    return "parity must be none, even or odd, got " + line.parity;
  }
  if (line.stop_bits != 1 && line.stop_bits != 2) {
    return "stop bits must be 1 or 2, got " + std::to_string(line.stop_bits);
  }
  if (line.flow_control != "none" && line.flow_control != "rtscts" &&
      line.flow_control != "xonxoff") {
    return "flow control must be none, rtscts or xonxoff, got " + line.flow_control;
  }
  return "";
}

void apply_line_settings(const SerialLineConfig& line, termios& t) {
  ::cfmakeraw(&t);
  ::cfsetspeed(&t, baud_constant(line.baud));
  t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
  switch (line.data_bits) {
    case 5:
      t.c_cflag |= CS5;
      break;
    case 6:
      t.c_cflag |= CS6;
      break;
    case 7:
      t.c_cflag |= CS7;
      break;
    default:
      t.c_cflag |= CS8;
      break;
  }
  if (line.parity == "even") t.c_cflag |= PARENB;
  if (line.parity == "odd") t.c_cflag |= PARENB | PARODD;
  if (line.stop_bits == 2) t.c_cflag |= CSTOPB;
  if (line.flow_control == "rtscts") t.c_cflag |= CRTSCTS;
  t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  if (line.flow_control == "xonxoff") t.c_iflag |= IXON | IXOFF;
  // No modem-control lines to wait for; the receiver on.
  t.c_cflag |= CLOCAL | CREAD;
  set_read_mode(t);
}

boost::system::error_code SerialLine::open_error(int errno_value) {
  switch (errno_value) {
    case EACCES:
    case EPERM:
      return SerialError::permission_denied;
    case ENOENT:
      return SerialError::no_such_port;
    case ENODEV:
    case ENXIO:
      return SerialError::no_such_device;
    case EBUSY:
      return SerialError::port_busy;
    case ENOTTY:
      return SerialError::not_a_serial_port;
    default:
      return {errno_value, boost::system::system_category()};
  }
}

SerialLine SerialLine::open(const std::string& path, const SerialLineConfig& line) {
  if (const std::string why = check_line_settings(line); !why.empty()) {
    const auto code = is_standard_baud_rate(line.baud) ? SerialError::configure_failed
                                                       : SerialError::unsupported_baud;
    return {code, "cannot configure serial port " + path + ": " + why};
  }
  const auto open_failed = [&](int errno_value) {
    const auto ec = open_error(errno_value);
    return SerialLine(ec, "cannot open serial port " + path + ": " + ec.message());
  };

  FdGuard fd(::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return open_failed(errno);
  termios t{};
  // Also the cheapest "is this a tty at all" check, before libserialport looks at sysfs.
  if (::tcgetattr(fd.get(), &t) != 0) return open_failed(errno);

  std::string why;
  SerialError code = SerialError::configure_failed;
  const SpOutcome outcome = configure_with_libserialport(path, line, fd, code, why);
  if (outcome == SpOutcome::failed) {
    return {code, "cannot configure serial port " + path + ": " + why};
  }
  if (outcome == SpOutcome::cannot_open) {
    apply_line_settings(line, t);
    if (::tcsetattr(fd.get(), TCSANOW, &t) != 0) {
      const boost::system::error_code ec(errno, boost::system::system_category());
      return {SerialError::configure_failed,
              "cannot configure serial port " + path + ": " + ec.message()};
    }
  }
  (void)::tcflush(fd.get(), TCIFLUSH);

  SerialLine result;
  result.fd_ = fd.release();
  result.by_libserialport_ = outcome == SpOutcome::configured;
  return result;
}

SerialLine::~SerialLine() {
  close();
}

SerialLine::SerialLine(SerialLine&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      error_(other.error_),
      message_(std::move(other.message_)),
      by_libserialport_(other.by_libserialport_) {}

SerialLine& SerialLine::operator=(SerialLine&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    error_ = other.error_;
    message_ = std::move(other.message_);
    by_libserialport_ = other.by_libserialport_;
  }
  return *this;
}

int SerialLine::release() {
  return std::exchange(fd_, -1);
}

void SerialLine::close() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

}  // namespace roomd
