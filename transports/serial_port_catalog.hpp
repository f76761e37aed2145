// The serial ports present on the box: device path, /dev/serial/by-id link, description and
// USB identity. The resolver matches `{"usb": {...}}` port specs against it, and
// `roomd ports` prints it so a technician can copy an identity into the config.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace roomd {

struct SerialPortInfo {
  std::string path;         // "/dev/ttyUSB0"
  std::string by_id;        // "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A1B2-if00-port0", or ""
  std::string description;  // "FT232R USB UART", or ""
  std::string vid;          // 4 lowercase hex digits, "" when not a USB adapter
  std::string pid;          // 4 lowercase hex digits, "" when not a USB adapter
  std::string serial;       // the adapter's USB serial number, "" when it has none

  bool is_usb() const { return !vid.empty(); }
  bool operator==(const SerialPortInfo&) const = default;
};

// An interface so the resolver can be tested on a fake tree. Called at every (re)connect of a
// port named by USB identity, so an implementation must not cache what it found.
class PortCatalog {
 public:
  virtual ~PortCatalog() = default;
  // The ports present now, sorted by path.
  virtual std::vector<SerialPortInfo> ports() const = 0;
};

// The ports libserialport finds (sysfs), with USB identity; by_id is left empty.
std::vector<SerialPortInfo> list_libserialport_ports();

// libserialport's list merged with the symlinks of a by-id directory: each link fills in the
// by_id of the port it points to, and a link to a port the list lacks adds that port.
// Tests pass a directory in a temp tree and a lister that returns fake ports there.
class SystemPortCatalog final : public PortCatalog {
 public:
  using Lister = std::function<std::vector<SerialPortInfo>()>;
  static constexpr const char* kByIdDir = "/dev/serial/by-id";

  SystemPortCatalog() : SystemPortCatalog(kByIdDir, list_libserialport_ports) {}
  SystemPortCatalog(std::string by_id_dir, Lister lister)
      : by_id_dir_(std::move(by_id_dir)), lister_(std::move(lister)) {}

  std::vector<SerialPortInfo> ports() const override;

 private:
  std::string by_id_dir_;
  Lister lister_;
};

// The `roomd ports` table: a header and one line per port, columns PATH, BY-ID, DESCRIPTION,
// VID:PID, SERIAL ("-" for empty), or a line saying that none were found.
std::string format_port_table(const std::vector<SerialPortInfo>& ports);
void print_port_table(std::FILE* out, const std::vector<SerialPortInfo>& ports);

}  // namespace roomd
