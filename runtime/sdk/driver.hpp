// The base class every device or logic driver derives from. A driver reads like the
// device's manual: it sends bytes through its module's queue, parses frames in `received`,
// and publishes status; the runtime owns the transport, the strand, timers and restarts.
#pragma once

#include "base/asio.hpp"
#include "base/json.hpp"
#include "base/units.hpp"
#include "runtime/sdk/alert_severity.hpp"
#include "runtime/sdk/command.hpp"
#include "runtime/sdk/errors.hpp"
#include "runtime/sdk/logger.hpp"
#include "runtime/sdk/subscription.hpp"
#include "transports/modbus_request.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd {

// Another module of this module's system(s), as a logic driver addresses it: `name` and
// `index` are what call() and watch() take.
struct PeerInfo {
  std::string name;  // the module's name in the system ("Display")
  int index = 0;     // 1-based among the system's modules with that name
  std::string module_id;
  std::string driver;        // "pjlink"
  std::string generic_name;  // the driver's generic name ("Projector")
};

// What a driver's module gives it; implemented by the runtime's Module.
class ModuleContext {
 public:
  virtual ~ModuleContext() = default;
  virtual const std::string& module_id() const = 0;
  virtual const Logger& logger() const = 0;
  virtual const Json& settings() const = 0;  // config settings over declared defaults
  virtual void set_status(std::string_view name, Json value) = 0;
  virtual Json status(std::string_view name) const = 0;
  virtual Task<Json> send(std::string bytes, SendOptions options) = 0;
  virtual void start_timer(Duration first, Duration period, std::function<Task<void>()> fn) = 0;
  virtual bool online() const = 0;
  virtual void ready() = 0;
  virtual bool write(std::string bytes) = 0;
  virtual void reconnect() = 0;
  virtual void clear_queue(const std::string& reason) = 0;
  virtual Task<Json> call(std::string module, int index, std::string method, Json args) = 0;
  virtual Subscription watch(std::string_view module, int index, std::string_view status,
                             std::function<void(const Json&)> on_change) = 0;
  virtual Executor executor() const = 0;
  // Modbus drivers: one request for this module's unit on its bus.
  virtual Task<modbus::Result> modbus(modbus::Request request) = 0;
  // Last on purpose: plugins built before it keep the vtable slots they call.
  virtual std::vector<PeerInfo> peers() const = 0;
  // write(), with the first `secret_length` bytes (a password, a digest) kept out of the log.
  virtual bool write_secret(std::string bytes, std::size_t secret_length) = 0;
  // The module's own alerts, by a key of the driver's choosing (ABI 5).
  virtual void raise_alert(std::string_view key, AlertSeverity severity, std::string title) = 0;
  virtual void clear_alert(std::string_view key) = 0;
};

class Driver {
 public:
  virtual ~Driver() = default;

  // Lifecycle. Exceptions escaping these mark the module failed; it restarts with backoff.
  virtual Task<void> on_load() { co_return; }
  virtual Task<void> on_update() { co_return; }  // settings changed without a restart
  virtual void on_unload() {}
  virtual Task<void> connected() { co_return; }  // the transport is up (queue is online)
  virtual void disconnected() {}
  // One frame from the device. `pending` is the command waiting for an answer, if any.
  virtual Received received(std::string_view frame, Command* pending) {
    (void)frame;
    (void)pending;
    return Received::ignore;
  }

  void attach(ModuleContext* context) { context_ = context; }

 protected:
  const std::string& id() const { return context_->module_id(); }
  const Logger& log() const { return context_->logger(); }

  // Publishes a status variable; only a real change reaches subscribers.
  void set_status(std::string_view name, Json value) {
    context_->set_status(name, std::move(value));
  }
  Json status(std::string_view name) const { return context_->status(name); }

  // Queues bytes to the device. Completes with the answer (what `received` set on the
  // command, or the frame); throws RequestFailed on error, timeout or while offline.
  // Everything is taken by value (SendOptions owns its name), so temporaries are safe here
  // and the task may be awaited later.
  Task<Json> send(std::string bytes, SendOptions options = {}) {
    return context_->send(std::move(bytes), std::move(options));
  }

  // Timers run on the module's strand and are cancelled when the module unloads.
  void every(Duration period, std::function<Task<void>()> fn) {
    context_->start_timer(period, period, std::move(fn));
  }
  void in(Duration delay, std::function<Task<void>()> fn) {
    context_->start_timer(delay, Duration::zero(), std::move(fn));
  }
  void at(std::chrono::system_clock::time_point when, std::function<Task<void>()> fn) {
    auto delay = std::chrono::duration_cast<Duration>(when - std::chrono::system_clock::now());
    context_->start_timer(std::max(delay, Duration::zero()), Duration::zero(), std::move(fn));
  }

  // Typed settings; declared defaults apply, and the config check validated the types.
  template <class T>
  T setting(std::string_view name) const {
    return context_->settings().at(std::string(name)).template get<T>();
  }
  Duration setting_duration(std::string_view name) const {
    auto text = setting<std::string>(name);
    if (auto d = parse_duration(text)) return *d;
    throw std::runtime_error("setting " + std::string(name) + ": bad duration \"" + text + "\"");
  }

  bool online() const { return context_->online(); }
  // Ends the handshake of a driver whose info says `handshake`: the queue starts sending.
  void ready() { context_->ready(); }
  // Writes bytes now, outside the queue: for handshakes (a login, a greeting's answer)
  // while the queue is held. Returns false when the link is down.
  bool write(std::string bytes) { return context_->write(std::move(bytes)); }
  // The same for bytes that carry a secret at their start: trace logs show only its length.
  bool write_secret(std::string bytes, std::size_t secret_length = std::string::npos) {
    return context_->write_secret(std::move(bytes), secret_length);
  }
  void reconnect() { context_->reconnect(); }

  // An alert for a person (a lamp failure, a filter to change), active until cleared: its id
  // is driver/<module id>/<key>, its title names the module before `title`. Raising a key
  // that is already active does nothing, so a poll may raise on every answer; clear it when
  // the device reports the condition gone. The module's alerts clear when a config reload
  // removes or replaces it.
  void raise_alert(std::string_view key, AlertSeverity severity, std::string title) {
    context_->raise_alert(key, severity, std::move(title));
  }
  void clear_alert(std::string_view key) { context_->clear_alert(key); }
  void clear_queue(const std::string& reason) { context_->clear_queue(reason); }

  // Logic drivers: methods and status of other modules in this module's system. Takes its
  // arguments by value, like send(): the call may be awaited after they are gone.
  Task<Json> call(std::string module, int index, std::string method, Json args = Json::array()) {
    return context_->call(std::move(module), index, std::move(method), std::move(args));
  }
  Subscription watch(std::string_view module, int index, std::string_view status,
                     std::function<void(const Json&)> on_change) {
    return context_->watch(module, index, status, std::move(on_change));
  }
  // The other modules of this module's systems; a name and index that appears in two
  // systems is listed once, as the one call() reaches.
  std::vector<PeerInfo> peers() const { return context_->peers(); }
  Executor executor() const { return context_->executor(); }

  // Modbus drivers: this module's unit on its bus. Throw RequestFailed with the bus's error
  // (slave, table, address and what to check). `poll` requests yield to user actions.
  Task<std::vector<std::uint16_t>> read_registers(modbus::Table table, std::uint16_t address,
                                                  std::uint16_t count, bool poll = false);
  Task<std::vector<std::uint8_t>> read_bits(modbus::Table table, std::uint16_t address,
                                            std::uint16_t count, bool poll = false);
  Task<void> write_registers(std::uint16_t address, std::vector<std::uint16_t> values);
  Task<void> write_coils(std::uint16_t address, std::vector<std::uint8_t> values);

 private:
  ModuleContext* context_ = nullptr;
};

}  // namespace roomd
