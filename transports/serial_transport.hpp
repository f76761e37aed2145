// The serial transport: one RS-232/485 link to one device (a switcher, a display's service
// port). It finds the port again at every (re)connect, so a renumbered USB adapter is found;
// when the port vanishes (unplugged adapter, closed pty) it closes it and reopens with backoff.
#pragma once

#include "base/asio.hpp"
#include "base/link_config.hpp"
#include "transports/serial_port_catalog.hpp"
#include "transports/transport.hpp"

#include <memory>
#include <string>

namespace roomd {

// Every public call must be made on `executor` (a strand or a single-threaded io_context),
// and every handler runs there. Like TcpClient, the state lives in an internal object shared
// with pending operations: the transport can be held by unique_ptr<Transport> and destroyed
// at any time, even from inside one of its handlers, and nothing calls back after stop().
// start() on a started transport is ignored; start() after stop() starts over.
//
// Opening runs on the executor but never waits: the port is opened non-blocking, and only a
// port named by USB identity asks `catalog` (sysfs reads) first. Bytes go through an Asio
// stream_descriptor. Each failed open is reported through on_disconnect, with a SerialError
// whose message says what to check ("... (is the roomd user in the dialout group?)").
class SerialTransport final : public Transport {
 public:
  // `catalog` resolves `{"usb": {...}}` ports; null means a SystemPortCatalog.
  SerialTransport(Executor executor, SerialTransportConfig config,
                  std::shared_ptr<const PortCatalog> catalog = nullptr);
  ~SerialTransport() override;

  SerialTransport(const SerialTransport&) = delete;
  SerialTransport& operator=(const SerialTransport&) = delete;

  void start(Handlers handlers) override;
  void stop() override;
  bool write(std::string bytes) override;
  void reconnect() override;
  bool is_connected() const override;
  // "serial /dev/ttyUSB0" once resolved, "serial usb 0403:6001 serial A1B2" before.
  std::string describe() const override;

  // Why the last attempt failed, naming the path and what to check ("cannot open serial port
  // /dev/ttyUSB0: Permission denied (...)", "several USB serial adapters match ..."); "" while
  // connected. More than on_disconnect's error code can say.
  std::string last_error() const override;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace roomd
