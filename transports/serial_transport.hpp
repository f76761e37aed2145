// The serial transport: one RS-232/485 link to one device (a switcher, a display's service
// port). It finds the port again at every (re)connect, so a renumbered USB adapter is found;
// when the port vanishes (unplugged adapter, closed pty) it closes it and reopens with backoff.
#pragma once

#include "base/asio.hpp"
#include "base/link_config.hpp"
#include "transports/link.hpp"
#include "transports/serial_port_catalog.hpp"

#include <memory>

namespace roomd {

// Threading and lifetime as for every Link: calls and handlers on `executor`, safe to destroy
// at any time, nothing called after stop().
//
// Opening runs on the executor but never waits: the port is opened non-blocking, and only a
// port named by USB identity asks `catalog` (sysfs reads) first. Bytes go through an Asio
// stream_descriptor. Each failed open is reported through on_disconnect, with a SerialError
// whose message says what to check ("... (is the roomd user in the dialout group?)").
//
// describe() is "serial /dev/ttyUSB0" once resolved, "serial usb 0403:6001 serial A1B2"
// before. last_error() says why the last attempt failed, naming the path and what to check
// ("cannot open serial port /dev/ttyUSB0: Permission denied (...)", "several USB serial
// adapters match ..."); "" while connected.
class SerialTransport final : public Link {
 public:
  // `catalog` resolves `{"usb": {...}}` ports; null means a SystemPortCatalog.
  SerialTransport(Executor executor, SerialTransportConfig config,
                  std::shared_ptr<const PortCatalog> catalog = nullptr);
};

}  // namespace roomd
