// One client connection's standing business with the request core: its bindings, its debug
// streams and its execs in flight, each bounded per connection (api.max_bindings,
// api.max_execs_in_flight) and all let go by close(). A front-end owns one per connection
// and calls it on the API strand.
#pragma once

#include "base/json.hpp"
#include "runtime/log.hpp"
#include "runtime/sdk/subscription.hpp"
#include "uplink/core/caller.hpp"
#include "uplink/core/failure.hpp"
#include "uplink/core/notify_hub.hpp"
#include "uplink/core/request_core.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>

namespace roomd {

class Module;

class Client : public std::enable_shared_from_this<Client> {
 public:
  // `sink` receives this client's notifies; it must outlive the client or close() it first.
  Client(std::shared_ptr<RequestCore> core, Caller caller, NotifySink& sink);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const Caller& caller() const { return caller_; }
  RequestCore& core() { return *core_; }
  std::size_t bindings() const { return bindings_.size(); }

  struct Bound {
    Binding* binding;
    bool created;  // false: the variable was bound already (one binding per variable)
  };
  // Binds variable `name` of the module at `target`; its notifies are framed head + value +
  // tail. The caller sends the current value (core().hub.current) after its own answer.
  Result<Bound> bind(const Target& target, const std::string& name, std::string head,
                     std::string tail);
  void unbind(const Target& target, const std::string& name);

  // Runs a method (operator role; privileged ones admin). `done` runs on the caller's
  // executor, and not at all once the client closed.
  void exec(const Target& target, const std::string& method, Json args, RequestCore::ExecDone done);

  using Format = std::function<std::string(const LogRecord&)>;
  using Deliver = std::function<void(std::string)>;
  // Streams the module's log records at `level` and above (admin role): `format` runs on
  // whichever thread logged, `deliver` on the caller's executor, until ignore() or close().
  // A second debug of the same module replaces the first.
  Result<Module*> debug(const Target& target, LogLevel level, Format format, Deliver deliver);
  // `target.mod` is a module id as debug answered it, or a module name with its index.
  void ignore(const Target& target);

  // Unbinds and ignores everything; later exec results are dropped. Call it from outside
  // any notify of this client.
  void close();

 private:
  using BindKey = std::tuple<std::string, std::string, int, std::string>;

  // Refuses a request that would take this connection past one of its bounds.
  Failure over_limit(ErrorCode code, std::string message);

  std::shared_ptr<RequestCore> core_;  // exec results and log records may come late
  Caller caller_;
  NotifySink* sink_;  // null once closed
  std::map<BindKey, std::unique_ptr<Binding>> bindings_;
  std::map<std::string, Subscription, std::less<>> debugs_;  // by module id
  std::size_t execs_in_flight_ = 0;
};

}  // namespace roomd
