#include "drivers/modbus_sensor/pty_bridge.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <system_error>

namespace roomd::modbus {

namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), std::string("pty bridge: ") + what);
}

// Opens a new pty master and its slave; returns the slave's path.
std::string open_pair(int& master, int& slave) {
  master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) throw_errno("posix_openpt");
  if (::grantpt(master) != 0 || ::unlockpt(master) != 0) throw_errno("grantpt/unlockpt");
  std::array<char, 128> name{};
  if (::ptsname_r(master, name.data(), name.size()) != 0) throw_errno("ptsname_r");
  slave = ::open(name.data(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) throw_errno("open slave");
  // Raw from the start: bytes relayed before a peer configures the port must not be cooked
  // (echoed, CR translated) by the line discipline.
  termios tio{};
  if (::tcgetattr(slave, &tio) != 0) throw_errno("tcgetattr");
  ::cfmakeraw(&tio);
  if (::tcsetattr(slave, TCSANOW, &tio) != 0) throw_errno("tcsetattr");
  // Non-blocking master: a peer that stopped reading must not wedge the relay, so bytes it
  // cannot take are dropped, as a real line would lose them.
  if (::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK) != 0) throw_errno("fcntl");
  return name.data();
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

PtyBridge::PtyBridge() {
  try {
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw_errno("eventfd");
    client_path_ = open_pair(client_master_, client_slave_);
    server_path_ = open_pair(server_master_, server_slave_);
    thread_ = std::thread([this] { relay(); });
  } catch (...) {
    close_all();
    throw;
  }
}

PtyBridge::~PtyBridge() {
  stop();
}

void PtyBridge::stop() {
  if (thread_.joinable()) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  close_all();
}

void PtyBridge::close_all() {
  close_fd(client_master_);
  close_fd(server_master_);
  close_fd(client_slave_);
  close_fd(server_slave_);
  close_fd(wake_fd_);
}

void PtyBridge::relay() {
  std::array<pollfd, 3> fds{
      {{client_master_, POLLIN, 0}, {server_master_, POLLIN, 0}, {wake_fd_, POLLIN, 0}}};
  const std::array<int, 2> to{server_master_, client_master_};
  std::array<std::uint8_t, 512> buffer{};
  for (;;) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[2].revents != 0) return;
    for (std::size_t i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        // Whatever the other side cannot take now is lost (see open_pair).
        [[maybe_unused]] auto written = ::write(to[i], buffer.data(), static_cast<size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        // Cannot happen while the bridge holds both slaves open; stop polling the side rather
        // than spin on it.
        fds[i].fd = -1;
      }
    }
  }
}

}  // namespace roomd::modbus
