#include "transports/serial_port_resolver.hpp"

#include "tests/support/temp_dir.hpp"
#include "transports/serial_error.hpp"
#include "transports/serial_port_catalog.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using roomd::PortCatalog;
using roomd::ResolvedPort;
using roomd::SerialError;
using roomd::SerialPortInfo;
using roomd::SerialPortSpec;
using roomd::SystemPortCatalog;
using roomd::UsbIdentity;
using roomd::test::TempDir;
namespace fs = std::filesystem;

namespace {

class FixedCatalog final : public PortCatalog {
 public:
  explicit FixedCatalog(std::vector<SerialPortInfo> ports) : ports_(std::move(ports)) {}
  std::vector<SerialPortInfo> ports() const override { return ports_; }

 private:
  std::vector<SerialPortInfo> ports_;
};

SerialPortInfo usb_port(std::string path, std::string vid, std::string pid, std::string serial) {
  return {.path = std::move(path),
          .description = "USB adapter",
          .vid = std::move(vid),
          .pid = std::move(pid),
          .serial = std::move(serial)};
}

SerialPortSpec path_spec(std::string path) {
  return {.path = std::move(path)};
}

SerialPortSpec usb_spec(std::string vid, std::string pid, std::string serial = "") {
  return {.usb = UsbIdentity{std::move(vid), std::move(pid), std::move(serial)}};
}

// root/dev with three device nodes (plain files stand in for them) and udev-style by-id links,
// one to a port the lister does not report; the lister reports what libserialport would.
struct FakeTree {
  FakeTree() {
    fs::create_directories(by_id());
    for (const char* name : {"ttyS0", "ttyUSB0", "ttyUSB1", "ttyACM0"}) {
      std::ofstream(dev(name)) << "";
    }
    fs::create_symlink("../../ttyUSB0", ftdi_link());
    fs::create_symlink("../../ttyUSB1", by_id() + "/usb-1a86_USB_Serial-if00-port0");
    fs::create_symlink("../../ttyACM0", by_id() + "/usb-Arduino_Uno_7543-if00");
  }

  std::string dev(const std::string& name) const { return root.path() + "/dev/" + name; }
  std::string by_id() const { return root.path() + "/dev/serial/by-id"; }
  std::string ftdi_link() const { return by_id() + "/usb-FTDI_FT232R_USB_UART_A1B2-if00-port0"; }

  SystemPortCatalog catalog() const {
    return SystemPortCatalog(by_id(), [this] {
      return std::vector<SerialPortInfo>{
          usb_port(dev("ttyUSB1"), "1a86", "7523", ""),
          {.path = dev("ttyS0"), .description = "ttyS0"},
          usb_port(dev("ttyUSB0"), "0403", "6001", "A1B2"),
      };
    });
  }

  void repoint(const std::string& link, const std::string& target) const {
    fs::remove(link);
    fs::create_symlink(target, link);
  }

  TempDir root;
};

}  // namespace

TEST_CASE("serial catalog: libserialport's list merged with by-id links", "[serial]") {
  const FakeTree tree;
  const std::vector<SerialPortInfo> ports = tree.catalog().ports();
  REQUIRE(ports.size() == 4);
  CHECK(ports[0] == SerialPortInfo{.path = tree.dev("ttyACM0"),
                                   .by_id = tree.by_id() + "/usb-Arduino_Uno_7543-if00"});
  CHECK(ports[1] == SerialPortInfo{.path = tree.dev("ttyS0"), .description = "ttyS0"});
  CHECK(ports[2].path == tree.dev("ttyUSB0"));
  CHECK(ports[2].by_id == tree.ftdi_link());
  CHECK(ports[2].vid == "0403");
  CHECK(ports[2].serial == "A1B2");
  CHECK(ports[3].path == tree.dev("ttyUSB1"));
  CHECK(ports[3].by_id == tree.by_id() + "/usb-1a86_USB_Serial-if00-port0");

  // A missing by-id directory (no USB adapter ever plugged in) is not an error.
  const SystemPortCatalog no_links(tree.root.path() + "/nowhere", [] {
    return std::vector<SerialPortInfo>{{.path = "/dev/ttyS0"}};
  });
  CHECK(no_links.ports() == std::vector<SerialPortInfo>{{.path = "/dev/ttyS0"}});

  // The real system: whatever is there, it must not throw or crash.
  CHECK_NOTHROW(SystemPortCatalog().ports());
}

TEST_CASE("serial catalog: the roomd ports table", "[serial]") {
  CHECK(roomd::format_port_table({}) == "no serial ports found\n");
  const std::vector<SerialPortInfo> ports = {
      {.path = "/dev/ttyS0"},
      {.path = "/dev/ttyUSB0",
       .by_id = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A1B2-if00-port0",
       .description = "FT232R USB UART",
       .vid = "0403",
       .pid = "6001",
       .serial = "A1B2"},
      {.path = "/dev/ttyUSB1", .description = "USB Serial", .vid = "1a86", .pid = "7523"},
  };
  CHECK(roomd::format_port_table(ports) ==
        "PATH          BY-ID                                                       DESCRIPTION     "
        " VID:PID    SERIAL\n"
        "/dev/ttyS0    -                                                           -               "
        " -          -\n"
        "/dev/ttyUSB0  /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A1B2-if00-port0  FT232R USB UART "
        " 0403:6001  A1B2\n"
        "/dev/ttyUSB1  -                                                           USB Serial      "
        " 1a86:7523  -\n");
}

TEST_CASE("serial resolver: a path, and a by-id link followed at every resolution", "[serial]") {
  const FakeTree tree;
  const FixedCatalog empty({});
  CHECK(roomd::resolve_serial_port(path_spec(tree.dev("ttyS0")), empty).path == tree.dev("ttyS0"));

  const ResolvedPort first = roomd::resolve_serial_port(path_spec(tree.ftdi_link()), empty);
  CHECK(first.ok());
  CHECK(first.path == tree.dev("ttyUSB0"));
  // The adapter came back as ttyUSB1: the same by-id name now leads there.
  tree.repoint(tree.ftdi_link(), "../../ttyUSB1");
  CHECK(roomd::resolve_serial_port(path_spec(tree.ftdi_link()), empty).path == tree.dev("ttyUSB1"));

  // Not there (yet): unchanged, so that opening it reports "No such file or directory".
  const ResolvedPort missing = roomd::resolve_serial_port(path_spec("/dev/ttyUSB-gone"), empty);
  CHECK(missing.ok());
  CHECK(missing.path == "/dev/ttyUSB-gone");
}

TEST_CASE("serial resolver: a USB identity is matched against the catalog", "[serial]") {
  const FakeTree tree;
  const SystemPortCatalog catalog = tree.catalog();
  CHECK(roomd::resolve_serial_port(usb_spec("0403", "6001", "A1B2"), catalog).path ==
        tree.dev("ttyUSB0"));
  CHECK(roomd::resolve_serial_port(usb_spec("0403", "6001"), catalog).path == tree.dev("ttyUSB0"));
  CHECK(roomd::resolve_serial_port(usb_spec("1a86", "7523"), catalog).path == tree.dev("ttyUSB1"));

  const ResolvedPort wrong_serial =
      roomd::resolve_serial_port(usb_spec("0403", "6001", "Z9"), catalog);
  CHECK_FALSE(wrong_serial.ok());
  CHECK(wrong_serial.path.empty());
  CHECK(wrong_serial.error == SerialError::no_usb_match);
  CHECK(wrong_serial.message ==
        "no USB serial adapter matches usb 0403:6001 serial Z9 (connected: "
        "0403:6001 serial A1B2 at " +
            tree.dev("ttyUSB0") + ", 1a86:7523 at " + tree.dev("ttyUSB1") +
            "; check with roomd ports)");
  CHECK(wrong_serial.error.message() ==
        "no connected USB serial adapter has this identity (check with roomd ports)");

  const ResolvedPort nothing =
      roomd::resolve_serial_port(usb_spec("0403", "6015"), FixedCatalog({{.path = "/dev/ttyS0"}}));
  CHECK(nothing.error == SerialError::no_usb_match);
  CHECK(nothing.message ==
        "no USB serial adapter matches usb 0403:6015 (none is connected; check with roomd ports)");
}

TEST_CASE("serial resolver: several matching adapters are named, not guessed", "[serial]") {
  const FixedCatalog twins({usb_port("/dev/ttyUSB0", "0403", "6001", "A1"),
                            usb_port("/dev/ttyUSB1", "0403", "6001", "B2")});
  const ResolvedPort ambiguous = roomd::resolve_serial_port(usb_spec("0403", "6001"), twins);
  CHECK(ambiguous.error == SerialError::ambiguous_usb);
  CHECK(ambiguous.path.empty());
  CHECK(ambiguous.message ==
        "several USB serial adapters match usb 0403:6001: 0403:6001 serial A1 at /dev/ttyUSB0, "
        "0403:6001 serial B2 at /dev/ttyUSB1; add \"serial\" to the port to pick one");
  CHECK(roomd::resolve_serial_port(usb_spec("0403", "6001", "B2"), twins).path == "/dev/ttyUSB1");

  // A dual-port chip: both ports share one serial number.
  const FixedCatalog dual({usb_port("/dev/ttyUSB0", "0403", "6010", "FT1"),
                           usb_port("/dev/ttyUSB1", "0403", "6010", "FT1")});
  const ResolvedPort same_serial =
      roomd::resolve_serial_port(usb_spec("0403", "6010", "FT1"), dual);
  CHECK(same_serial.error == SerialError::ambiguous_usb);
  CHECK(same_serial.message ==
        "several USB serial adapters match usb 0403:6010 serial FT1: 0403:6010 serial FT1 at "
        "/dev/ttyUSB0, 0403:6010 serial FT1 at /dev/ttyUSB1; name the port by its "
        "/dev/serial/by-id path instead");
}
