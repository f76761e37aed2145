#include "transports/serial_error.hpp"

#include <string>

namespace roomd {
namespace {

class SerialCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "serial"; }

  std::string message(int code) const override {
    switch (static_cast<SerialError>(code)) {
      case SerialError::permission_denied:
        return "Permission denied (is the roomd user in the dialout group?)";
      case SerialError::no_such_port:
        return "No such file or directory (is the adapter plugged in? check with roomd ports)";
      case SerialError::no_such_device:
        return "No such device (is the adapter plugged in? check with roomd ports)";
      case SerialError::port_busy:
        return "Device or resource busy (is another program using the port?)";
      case SerialError::not_a_serial_port:
        return "not a serial port";
      case SerialError::unsupported_baud:
        return "unsupported baud rate";
      case SerialError::configure_failed:
        return "cannot apply the line settings (baud, data bits, parity, stop bits, flow control)";
      case SerialError::no_usb_match:
        return "no connected USB serial adapter has this identity (check with roomd ports)";
      case SerialError::ambiguous_usb:
        return "several connected USB serial adapters have this identity (add \"serial\", or use "
               "the /dev/serial/by-id path; check with roomd ports)";
    }
    return "serial port error " + std::to_string(code);
  }
};

}  // namespace

const boost::system::error_category& serial_category() {
  static const SerialCategory category;
  return category;
}

}  // namespace roomd
