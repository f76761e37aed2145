#include "base/link_config.hpp"

namespace roomd {

std::string SerialPortSpec::describe() const {
  if (!usb) return path;
  std::string text = "usb " + usb->vid + ":" + usb->pid;
  if (!usb->serial.empty()) text += " serial " + usb->serial;
  return text;
}

}  // namespace roomd
