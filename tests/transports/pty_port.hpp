// A serial device for tests: a pseudo-terminal pair whose master side the test plays, and a
// symlink standing for /dev/serial/by-id/... that can be re-pointed or removed as udev does
// when an adapter is plugged or pulled.
#pragma once

#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

namespace roomd::test {

// The transport opens the slave by path. Closing the master is unplugging the adapter: the
// slave path disappears.
struct Pty {
  Pty() {
    char name[128] = {};
    REQUIRE(::openpty(&master, &slave, name, nullptr, nullptr) == 0);
    slave_path = name;
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  }
  ~Pty() { unplug(); }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  void unplug() {
    if (master >= 0) ::close(master);
    if (slave >= 0) ::close(slave);
    master = slave = -1;
  }
  void send(const std::string& bytes) const {
    REQUIRE(::write(master, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  }
  // What the transport wrote so far (polled from run_until's condition).
  const std::string& received() {
    char buffer[256];
    ssize_t n = 0;
    while ((n = ::read(master, buffer, sizeof buffer)) > 0) {
      got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
  }

  int master = -1;
  int slave = -1;  // kept for tcgetattr; the transport opens its own
  std::string slave_path;
  std::string got;
};

// Re-pointed atomically, as udev does, when the "adapter" comes back as another device.
struct PortLink {
  explicit PortLink(const std::string& target) { point_to(target); }
  void point_to(const std::string& target) const {
    const std::string next = path + ".next";
    std::filesystem::remove(next);
    std::filesystem::create_symlink(target, next);
    std::filesystem::rename(next, path);
  }
  // As udev does when the adapter is unplugged. It also keeps the transport from opening a
  // pty that another process got under the freed number.
  void remove() const { std::filesystem::remove(path); }
  TempDir dir;
  std::string path = dir.path() + "/usb-FTDI_FT232R_USB_UART_A1B2-if00-port0";
};

}  // namespace roomd::test
