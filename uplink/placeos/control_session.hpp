// The PlaceOS real-time protocol for one client (protocol.md §4-5): parses bind, unbind,
// exec, debug and ignore, hands them to the request core, and encodes what comes back. It
// knows nothing of sockets: answers go out through ControlOutput, so the WebSocket session
// and the MQTT upstream can both carry it.
#pragma once

#include "uplink/core/client.hpp"
#include "uplink/core/control_output.hpp"
#include "uplink/core/failure.hpp"
#include "uplink/core/notify_hub.hpp"
#include "uplink/placeos/request.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace roomd::placeos {

using roomd::ControlOutput;

class ControlSession {
 public:
  // `peer` names the client in logs ("127.0.0.1:51234 key panel-101"); `caller.executor` is
  // the session's, where `out` is called.
  ControlSession(std::shared_ptr<RequestCore> core, Caller caller, ControlOutput& out);
  ControlSession(const ControlSession&) = delete;
  ControlSession& operator=(const ControlSession&) = delete;

  void handle(std::string_view text);
  // Unbinds and ignores everything; later answers (exec results) are dropped. Call it from
  // outside any notify of this session (WsSession posts it).
  void close() { client_->close(); }

  std::size_t bindings() const { return client_->bindings(); }

  // `id` is the request id's JSON text ("null" when it could not be read).
  static std::string error_message(std::string_view id, ErrorCode code, std::string_view message);

 private:
  void on_bind(const Request& r);
  void on_unbind(const Request& r);
  void on_exec(const Request& r);
  void on_debug(const Request& r);
  void on_ignore(const Request& r);

  void reply_error(std::string_view id, const Failure& failure);
  void reply_success(const Request& r, const Json* value, const std::string* mod_id);

  std::shared_ptr<Client> client_;
  ControlOutput& out_;
};

}  // namespace roomd::placeos
