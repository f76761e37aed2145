// The TCP transport: one link to one device (a projector's control port, a switcher's telnet
// port). It connects with a timeout, turns on keepalive so a dead peer is noticed, and
// reconnects with jittered backoff whenever the device refuses or drops the link.
#pragma once

#include "base/asio.hpp"
#include "base/link_config.hpp"
#include "transports/link.hpp"

#include <cstdint>

namespace roomd {

// Threading and lifetime as for every Link: calls and handlers on `executor`, safe to destroy
// at any time, nothing called after stop().
class TcpClient final : public Link {
 public:
  // cfg.port 0 means `default_port` (the driver's).
  TcpClient(Executor executor, TcpTransportConfig cfg, std::uint16_t default_port);
};

}  // namespace roomd
