// The PlaceOS real-time protocol for one client: bind, unbind, exec, debug and ignore
// (protocol.md §4-5), with the key's role and system scope checked on every request. It knows
// nothing of sockets: answers go out through ControlOutput, so the WebSocket session and the
// MQTT upstream can both carry it.
#pragma once

#include "base/json.hpp"
#include "runtime/sdk/errors.hpp"
#include "runtime/sdk/subscription.hpp"
#include "uplink/access.hpp"
#include "uplink/notify_hub.hpp"
#include "uplink/placeos/request.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

namespace roomd {
struct ApiContext;
class Module;
}  // namespace roomd

namespace roomd::placeos {

class ControlOutput : public NotifySink {
 public:
  // A whole message that is never coalesced (success, error, debug).
  virtual void send(std::string message) = 0;
  // A binding is going away: drop any reference to it in queued messages.
  virtual void forget(Binding& binding) = 0;
};

class ControlSession : public std::enable_shared_from_this<ControlSession> {
 public:
  // `peer` names the client in logs ("127.0.0.1:51234 key panel-101").
  ControlSession(std::shared_ptr<ApiContext> api, Grant grant, std::string peer,
                 ControlOutput& out);
  ~ControlSession();
  ControlSession(const ControlSession&) = delete;
  ControlSession& operator=(const ControlSession&) = delete;

  void handle(std::string_view text);
  // Unbinds and ignores everything; later answers (exec results) are dropped. Call it from
  // outside any notify of this session (WsSession posts it).
  void close();

  std::size_t bindings() const { return bindings_.size(); }

  // `id` is the request id's JSON text ("null" when it could not be read).
  static std::string error_message(std::string_view id, ErrorCode code, std::string_view message);

 private:
  struct Target {
    Module* module = nullptr;
    std::string mod_id;
  };
  using BindKey = std::tuple<std::string, std::string, int, std::string>;

  void on_bind(const Request& r);
  void on_unbind(const Request& r);
  void on_exec(const Request& r);
  void on_debug(const Request& r);
  void on_ignore(const Request& r);

  // Checks the role and the system scope, then finds the module; answers the error itself
  // and returns nullopt when the request cannot go on.
  std::optional<Target> resolve(const Request& r, Role needed);
  void reply_error(std::string_view id, ErrorCode code, std::string_view message);
  // Refuses a request that would take this connection past one of its bounds.
  void reply_limit(const Request& r, ErrorCode code, const std::string& message);
  void log_denied(const Request& r, const std::string& why);
  void reply_success(const Request& r, const Json* value, const std::string* mod_id);

  std::shared_ptr<ApiContext> keep_;  // callbacks (exec results, log records) may come late
  ApiContext& api_;
  Grant grant_;
  std::string peer_;
  ControlOutput* out_;  // null once closed
  std::map<BindKey, std::unique_ptr<Binding>> bindings_;
  struct DebugStream {
    std::string mod_name;
    int index;
    Subscription subscription;
  };
  std::map<std::string, DebugStream, std::less<>> debugs_;  // by module id
  std::size_t execs_in_flight_ = 0;
};

}  // namespace roomd::placeos
