// Turns a configured port (a path, a /dev/serial/by-id link or a USB identity) into the
// device to open. Done again at every (re)connect, so an adapter that comes back as
// ttyUSB1 instead of ttyUSB0 is still found.
#pragma once

#include "base/link_config.hpp"
#include "transports/serial_port_catalog.hpp"

#include <boost/system/error_code.hpp>

#include <string>

namespace roomd {

struct ResolvedPort {
  std::string path;                 // the device to open; "" when none was found
  boost::system::error_code error;  // SerialError::no_usb_match or ambiguous_usb
  std::string message;              // for logs: what was looked for, what is connected

  bool ok() const { return !error; }
};

// A path is used as is, with symlinks (by-id) followed so logs name the real device; a path
// that does not exist is returned unchanged and fails when opened, with its own error. A USB
// identity is matched against `catalog`: vid and pid, and serial when given.
ResolvedPort resolve_serial_port(const SerialPortSpec& spec, const PortCatalog& catalog);

}  // namespace roomd
