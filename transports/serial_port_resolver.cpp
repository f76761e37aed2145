#include "transports/serial_port_resolver.hpp"

#include "transports/serial_error.hpp"

#include <cstdlib>
#include <memory>
#include <vector>

namespace roomd {
namespace {

std::string follow_links(const std::string& path) {
  const std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr),
                                                         &std::free);
  return real ? std::string(real.get()) : path;
}

std::string usb_text(const SerialPortInfo& port) {
  std::string text = port.vid + ":" + port.pid;
  if (!port.serial.empty()) text += " serial " + port.serial;
  return text + " at " + port.path;
}

std::string list_text(const std::vector<const SerialPortInfo*>& ports) {
  std::string text;
  for (const SerialPortInfo* port : ports) text += (text.empty() ? "" : ", ") + usb_text(*port);
  return text;
}

}  // namespace

ResolvedPort resolve_serial_port(const SerialPortSpec& spec, const PortCatalog& catalog) {
  if (!spec.usb) return {.path = follow_links(spec.path)};

  const UsbIdentity& want = *spec.usb;
  const std::vector<SerialPortInfo> ports = catalog.ports();
  std::vector<const SerialPortInfo*> usb;
  std::vector<const SerialPortInfo*> matches;
  for (const SerialPortInfo& port : ports) {
    if (!port.is_usb()) continue;
    usb.push_back(&port);
    if (port.vid == want.vid && port.pid == want.pid &&
        (want.serial.empty() || port.serial == want.serial)) {
      matches.push_back(&port);
    }
  }
  if (matches.size() == 1) return {.path = matches.front()->path};

  const std::string wanted = spec.describe();
  if (matches.empty()) {
    return {.error = SerialError::no_usb_match,
            .message = "no USB serial adapter matches " + wanted + " (" +
                       (usb.empty() ? "none is connected" : "connected: " + list_text(usb)) +
                       "; check with roomd ports)"};
  }
  // Without a serial number: two identical adapters. With one: a multi-port chip (FT2232,
  // FT4232) whose ports share it, told apart only by the interface in the by-id name.
  const std::string advice = want.serial.empty()
                                 ? "add \"serial\" to the port to pick one"
                                 : "name the port by its /dev/serial/by-id path instead";
  return {.error = SerialError::ambiguous_usb,
          .message = "several USB serial adapters match " + wanted + ": " + list_text(matches) +
                     "; " + advice};
}

}  // namespace roomd
