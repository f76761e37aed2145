// The TCP transport: one link to one device (a projector's control port, a switcher's telnet
// port). It connects with a timeout, turns on keepalive so a dead peer is noticed, and
// reconnects with jittered backoff whenever the device refuses or drops the link.
#pragma once

#include "base/asio.hpp"
#include "base/link_config.hpp"
#include "transports/transport.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace roomd {

// Every public call must be made on `executor` (a strand or a single-threaded io_context),
// and every handler runs there. The state lives in an internal object shared with pending
// operations, so the client can be held by unique_ptr<Transport> and destroyed at any time,
// even from inside one of its handlers: nothing calls back after stop() or destruction.
// start() on a started client is ignored; start() after stop() starts over.
class TcpClient final : public Transport {
 public:
  // cfg.port 0 means `default_port` (the driver's).
  TcpClient(Executor executor, TcpTransportConfig cfg, std::uint16_t default_port);
  ~TcpClient() override;

  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  void start(Handlers handlers) override;
  void stop() override;
  bool write(std::string bytes) override;
  void reconnect() override;
  bool is_connected() const override;
  std::string describe() const override;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace roomd
