// Why a serial port could not be found or opened, as error codes whose messages tell a
// technician what to check. Transports report only an error_code to the module, which logs
// its message, so the advice has to live in the message itself.
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace roomd {

enum class SerialError {
  permission_denied = 1,  // EACCES / EPERM on open
  no_such_port,           // ENOENT on open
  no_such_device,         // ENODEV / ENXIO on open: the node is there, the adapter is not
  port_busy,              // EBUSY: another program holds the port exclusively
  not_a_serial_port,      // ENOTTY: the path is not a tty
  unsupported_baud,       // not a standard rate, or the hardware refused it
  configure_failed,       // the line settings could not be applied
  no_usb_match,           // no connected adapter has the configured USB identity
  ambiguous_usb,          // several connected adapters have it
};

const boost::system::error_category& serial_category();

inline boost::system::error_code make_error_code(SerialError e) {
  return {static_cast<int>(e), serial_category()};
}

}  // namespace roomd

template <>
struct boost::system::is_error_code_enum<roomd::SerialError> : std::true_type {};
