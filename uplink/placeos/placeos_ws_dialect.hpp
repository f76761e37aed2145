// The PlaceOS dialect on a WebSocket: the text `ping` is answered `pong` (protocol.md §3),
// everything else is a request for the ControlSession; a binary frame gets the protocol's
// parse error.
#pragma once

#include "uplink/http/ws_dialect.hpp"
#include "uplink/placeos/control_session.hpp"

namespace roomd::placeos {

class PlaceosWsDialect final : public WsDialect {
 public:
  explicit PlaceosWsDialect(const WsOpening& opening);

  void on_text(std::string_view text) override;
  void on_binary() override;
  void close() override { control_.close(); }

 private:
  WsOutput& out_;
  ControlSession control_;
};

}  // namespace roomd::placeos
