// The UDP transport: a connected datagram socket to one device (lighting and audio DSPs that
// take commands as datagrams). There is no link to lose, so once the socket is set up it
// counts as connected; each datagram received is one on_bytes call, each write one datagram.
#pragma once

#include "base/asio.hpp"
#include "base/backoff.hpp"
#include "base/link_config.hpp"
#include "transports/link.hpp"

#include <cstdint>

namespace roomd {

// Threading and lifetime as for every Link: calls and handlers on `executor`, safe to destroy
// at any time, nothing called after stop(). A refused datagram (ICMP port unreachable, the
// device is not listening yet) is ignored; other socket errors reopen the socket after
// `backoff`, as does reconnect().
class UdpClient final : public Link {
 public:
  // cfg.port 0 means `default_port` (the driver's).
  UdpClient(Executor executor, UdpTransportConfig cfg, std::uint16_t default_port,
            Backoff backoff = Backoff());
};

}  // namespace roomd
