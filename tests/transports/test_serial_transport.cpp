#include "transports/serial_transport.hpp"

#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"
#include "tests/transports/pty_port.hpp"
#include "transports/serial_error.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

using namespace std::chrono_literals;
using roomd::Duration;
using roomd::PortCatalog;
using roomd::SerialError;
using roomd::SerialPortInfo;
using roomd::SerialTransport;
using roomd::SerialTransportConfig;
using roomd::Transport;
using roomd::UsbIdentity;
using roomd::test::PortLink;
using roomd::test::Pty;
using roomd::test::run_until;
using roomd::test::TempDir;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using boost::system::error_code;

namespace {

constexpr auto kWait = 3s;

// What the transport reported, in order.
struct Events {
  Transport::Handlers handlers() {
    return {
        .on_connect = [this] { ++connects; },
        .on_disconnect =
            [this](const error_code& ec) {
              ++disconnects;
              errors.push_back(ec);
            },
        .on_bytes = [this](std::string_view b) { bytes.append(b); },
    };
  }
  int connects = 0;
  int disconnects = 0;
  std::vector<error_code> errors;
  std::string bytes;
};

SerialTransportConfig config(const std::string& path) {
  SerialTransportConfig cfg;
  cfg.port.path = path;
  cfg.line.baud = 115200;
  cfg.backoff_min = Duration{5};
  cfg.backoff_max = Duration{20};
  return cfg;
}

// A catalog the test changes while the transport runs, as adapters are plugged and pulled.
class MutableCatalog final : public PortCatalog {
 public:
  std::vector<SerialPortInfo> ports() const override {
    std::lock_guard lock(mutex_);
    ++lookups_;
    return ports_;
  }
  void set(std::vector<SerialPortInfo> ports) {
    std::lock_guard lock(mutex_);
    ports_ = std::move(ports);
  }
  int lookups() const {
    std::lock_guard lock(mutex_);
    return lookups_;
  }

 private:
  mutable std::mutex mutex_;
  mutable int lookups_ = 0;
  std::vector<SerialPortInfo> ports_;
};

// Runs the loop until it has nothing left to do (bounded, so a leak fails instead of hanging).
bool run_out_of_work(asio::io_context& io) {
  io.restart();
  io.run_for(2s);
  return io.stopped();
}

}  // namespace

TEST_CASE("serial: bytes both ways over a pty", "[serial]") {
  asio::io_context io;
  Pty pty;
  Events events;
  SerialTransport transport(io.get_executor(), config(pty.slave_path));
  CHECK(transport.describe() == "serial " + pty.slave_path);
  CHECK_FALSE(transport.write("early"));
  transport.start(events.handlers());
  // Never from inside start().
  CHECK(events.connects == 0);
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  CHECK(transport.is_connected());
  CHECK(transport.last_error().empty());

  CHECK(transport.write("PWR ON\r"));
  CHECK(transport.write(std::string(3000, 'x')));
  CHECK(run_until(
      io, [&] { return pty.received().size() == 3007; }, kWait));
  CHECK(pty.got.substr(0, 7) == "PWR ON\r");

  pty.send("PWR=1\r\n");
  CHECK(run_until(
      io, [&] { return events.bytes == "PWR=1\r\n"; }, kWait));
  CHECK(events.disconnects == 0);
}

TEST_CASE("serial: the line settings are applied to the port", "[serial]") {
  asio::io_context io;
  Pty pty;
  Events events;
  auto cfg = config(pty.slave_path);
  cfg.line = {
      .baud = 19200, .data_bits = 7, .parity = "odd", .stop_bits = 2, .flow_control = "rtscts"};
  SerialTransport transport(io.get_executor(), cfg);
  transport.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));

  termios t{};
  REQUIRE(::tcgetattr(pty.slave, &t) == 0);
  CHECK(::cfgetospeed(&t) == B19200);
  CHECK(::cfgetispeed(&t) == B19200);
  CHECK((t.c_cflag & CSTOPB) != 0);
  CHECK((t.c_cflag & CRTSCTS) != 0);
  // A pty forces CS8 and clears PARENB (data bits and parity are checked on the termios
  // built for it, in test_serial_line.cpp); PARODD survives.
  CHECK((t.c_cflag & PARODD) != 0);
  CHECK((t.c_lflag & (ICANON | ECHO)) == 0);
  CHECK((t.c_oflag & OPOST) == 0);
  CHECK(t.c_cc[VMIN] == 1);
}

TEST_CASE("serial: the port vanishes and comes back as another device", "[serial]") {
  asio::io_context io;
  auto first = std::make_unique<Pty>();
  const PortLink link(first->slave_path);
  Events events;
  SerialTransport transport(io.get_executor(), config(link.path));
  transport.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  CHECK(transport.describe() == "serial " + first->slave_path);

  // Unplugged: the read fails (EIO, or end of file on a hung-up pty) and the link goes down.
  first->unplug();
  link.remove();
  REQUIRE(run_until(
      io, [&] { return events.disconnects >= 1; }, kWait));
  CHECK_FALSE(transport.is_connected());
  const error_code lost = events.errors.at(0);
  CHECK((lost == error_code(EIO, boost::system::system_category()) || lost == asio::error::eof));
  CHECK_FALSE(transport.write("lost"));

  // While it is away, every attempt is reported with what to check.
  REQUIRE(run_until(
      io, [&] { return events.disconnects >= 3; }, kWait));
  CHECK(events.errors.back() == SerialError::no_such_port);
  // The link is gone, so the configured name is the one to report.
  CHECK(transport.describe() == "serial " + link.path);
  CHECK(transport.last_error() == "cannot open serial port " + link.path +
                                      ": No such file or directory (is the adapter plugged in? "
                                      "check with roomd ports)");
  CHECK(events.connects == 1);

  // Back, under another name (or the same number reused): the link is followed again.
  Pty second;
  link.point_to(second.slave_path);
  REQUIRE(run_until(
      io, [&] { return events.connects == 2; }, kWait));
  CHECK(transport.is_connected());
  CHECK(transport.describe() == "serial " + second.slave_path);
  CHECK(transport.write("again"));
  CHECK(run_until(
      io, [&] { return second.received() == "again"; }, kWait));
  second.send("hello");
  CHECK(run_until(
      io, [&] { return events.bytes == "hello"; }, kWait));
}

TEST_CASE("serial: a missing port is reported at every attempt", "[serial]") {
  asio::io_context io;
  Events events;
  SerialTransport transport(io.get_executor(), config("/dev/ttyUSB-roomd-test"));
  transport.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.disconnects >= 3; }, kWait));
  CHECK(events.connects == 0);
  for (const error_code& ec : events.errors) CHECK(ec == SerialError::no_such_port);
  CHECK(events.errors[0].message() ==
        "No such file or directory (is the adapter plugged in? check with roomd ports)");
  CHECK(transport.describe() == "serial /dev/ttyUSB-roomd-test");
  CHECK(transport.last_error() ==
        "cannot open serial port /dev/ttyUSB-roomd-test: No such file or directory (is the "
        "adapter plugged in? check with roomd ports)");
}

TEST_CASE("serial: a USB identity is looked up at every attempt", "[serial]") {
  asio::io_context io;
  auto catalog = std::make_shared<MutableCatalog>();
  auto cfg = config("");
  cfg.port.usb = UsbIdentity{"0403", "6001", "A1B2"};
  Events events;
  SerialTransport transport(io.get_executor(), cfg, catalog);
  CHECK(transport.describe() == "serial usb 0403:6001 serial A1B2");
  transport.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.disconnects >= 2; }, kWait));
  CHECK(events.errors.back() == SerialError::no_usb_match);
  CHECK(transport.last_error() ==
        "no USB serial adapter matches usb 0403:6001 serial A1B2 (none is connected; check with "
        "roomd ports)");
  CHECK(transport.describe() == "serial usb 0403:6001 serial A1B2");

  Pty pty;
  catalog->set({{.path = pty.slave_path, .vid = "0403", .pid = "6001", .serial = "A1B2"}});
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  CHECK(transport.describe() == "serial " + pty.slave_path);
  const int lookups = catalog->lookups();

  // Gone, and back: found through the catalog again.
  pty.unplug();
  Pty again;
  catalog->set({{.path = again.slave_path, .vid = "0403", .pid = "6001", .serial = "A1B2"}});
  REQUIRE(run_until(
      io, [&] { return events.connects == 2; }, kWait));
  CHECK(catalog->lookups() > lookups);
  CHECK(transport.describe() == "serial " + again.slave_path);
}

TEST_CASE("serial: reconnect() closes the port and opens it again", "[serial]") {
  asio::io_context io;
  Pty pty;
  Events events;
  SerialTransport transport(io.get_executor(), config(pty.slave_path));
  transport.start(events.handlers());
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  transport.reconnect();
  CHECK_FALSE(transport.is_connected());
  CHECK(events.disconnects == 0);  // posted, not called from inside reconnect()
  REQUIRE(run_until(
      io, [&] { return events.connects == 2; }, kWait));
  CHECK(events.disconnects == 1);
  CHECK(events.errors[0] == asio::error::operation_aborted);
  CHECK(transport.write("after"));
  CHECK(run_until(
      io, [&] { return pty.received() == "after"; }, kWait));
}

TEST_CASE("serial: nothing is called after stop(), and a handler may destroy it", "[serial]") {
  asio::io_context io;
  Pty pty;
  Events events;
  auto transport = std::make_unique<SerialTransport>(io.get_executor(), config(pty.slave_path));
  transport->start(events.handlers());
  transport->stop();  // before the posted open ran
  CHECK(run_out_of_work(io));
  CHECK(events.connects + events.disconnects == 0);

  // start() after stop() starts over; a handler that destroys the transport is safe.
  Transport::Handlers handlers = events.handlers();
  handlers.on_connect = [&] {
    ++events.connects;
    transport.reset();
  };
  transport->start(std::move(handlers));
  REQUIRE(run_until(
      io, [&] { return events.connects == 1; }, kWait));
  CHECK(transport == nullptr);
  pty.send("ignored");
  CHECK(run_out_of_work(io));
  CHECK(events.bytes.empty());
  CHECK(events.disconnects == 0);

  // stop() while waiting to retry.
  auto waiting = std::make_unique<SerialTransport>(io.get_executor(), config("/dev/nope-roomd"));
  Events later;
  waiting->start(later.handlers());
  REQUIRE(run_until(
      io, [&] { return later.disconnects >= 1; }, kWait));
  const int reported = later.disconnects;
  waiting->stop();
  CHECK(run_out_of_work(io));
  CHECK(later.disconnects == reported);
}
