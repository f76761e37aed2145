// One configured module at run time: its driver instance, transport, tokenizer and
// command queue, all on one strand. It turns driver exceptions into a failed state and a
// restart with backoff, so one bad driver never takes the box down.
#pragma once

#include "base/asio.hpp"
#include "config/config.hpp"
#include "runtime/command_queue.hpp"
#include "runtime/driver_registry.hpp"
#include "runtime/log.hpp"
#include "runtime/sdk/driver.hpp"
#include "runtime/state_store.hpp"
#include "transports/modbus_bus.hpp"
#include "transports/tokenizer.hpp"
#include "transports/transport.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace roomd {

class Module;

// How a module finds the other modules of its system (logic drivers call and watch them).
class ModuleDirectory {
 public:
  virtual ~ModuleDirectory() = default;
  virtual Module* find_peer(const std::string& module_id, std::string_view name, int index) = 0;
  virtual std::vector<PeerInfo> peers_of(const std::string& module_id) = 0;
  // What happened to a module, for the outbox: "connected", "disconnected", "failed",
  // "restarted", with a detail for people. Called on the module's strand.
  virtual void module_event(const std::string& module_id, std::string_view event,
                            const std::string& detail) {
    (void)module_id, (void)event, (void)detail;
  }
  // A driver's raise_alert() and clear_alert(), on the module's strand.
  virtual void driver_alert_raised(const std::string& module_id, std::string_view key,
                                   AlertSeverity severity, const std::string& title) {
    (void)module_id, (void)key, (void)severity, (void)title;
  }
  virtual void driver_alert_cleared(const std::string& module_id, std::string_view key) {
    (void)module_id, (void)key;
  }
};

enum class ModuleRunState { stopped, starting, running, failed };
const char* to_string(ModuleRunState state);

using TransportFactory = std::function<std::unique_ptr<Transport>(Executor)>;

// A module on a Modbus bus: the shared bus and this module's unit id on it.
struct ModbusLink {
  std::shared_ptr<modbus::Bus> bus;
  int unit = 1;
};

class Module final : public ModuleContext {
 public:
  Module(Executor executor, ModuleConfig config, const DriverRegistration& driver, Json settings,
         StateStore& state, Logger log, ModuleDirectory& directory, TransportFactory make_transport,
         ModbusLink modbus = {});
  ~Module() override;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  void start();  // posts the load to the module's strand
  void stop();   // posts the unload; no restart afterwards
  // A live reload took the module out (removed, or replaced by a changed one): unloads it on
  // its strand, then erases its status variables when `forget_state` (subscribers see null),
  // then runs `unloaded` there. Nothing it does afterwards reaches the state store.
  void retire(bool forget_state, std::function<void()> unloaded);
  // True once a retired module's driver and its coroutines are gone, so nothing of it is left
  // to run: it may be destroyed after one more turn of its strand.
  bool drained() const { return retired_ && driver_left_.expired() && queue_left_.expired(); }

  // Runs a method on the module's strand; await it from any executor.
  // Throws BadArguments (unknown method, bad args) or RequestFailed.
  Task<Json> exec(std::string method, Json args);
  // The same for callers that are not coroutines; `done` runs on the module's strand.
  void exec(std::string method, Json args, std::function<void(std::exception_ptr, Json)> done);

  const ModuleConfig& config() const { return config_; }
  const DriverRegistration& driver() const { return driver_; }
  ModuleRunState run_state() const { return run_state_; }
  std::size_t queue_depth() const { return queue_ ? queue_->depth() : 0; }
  int restarts() const { return restarts_; }

  // ModuleContext, for the driver.
  const std::string& module_id() const override { return config_.id; }
  const Logger& logger() const override { return log_; }
  const Json& settings() const override { return settings_; }
  void set_status(std::string_view name, Json value) override;
  Json status(std::string_view name) const override;
  Task<Json> send(std::string bytes, SendOptions options) override;
  void start_timer(Duration first, Duration period, std::function<Task<void>()> fn) override;
  bool online() const override;
  void ready() override;
  bool write(std::string bytes) override;
  bool write_secret(std::string bytes, std::size_t secret_length) override;
  void reconnect() override;
  void clear_queue(const std::string& reason) override;
  Task<Json> call(std::string module, int index, std::string method, Json args) override;
  Subscription watch(std::string_view module, int index, std::string_view status,
                     std::function<void(const Json&)> on_change) override;
  Executor executor() const override { return strand_; }
  Task<modbus::Result> modbus(modbus::Request request) override;
  std::vector<PeerInfo> peers() const override;
  void raise_alert(std::string_view key, AlertSeverity severity, std::string title) override;
  void clear_alert(std::string_view key) override;

 private:
  void load();
  void unload(const std::string& reason);
  void fail(const std::string& where, std::exception_ptr error);
  void spawn(Task<void> task, std::string where);
  Task<void> finish_load(Driver& driver, std::uint64_t generation);
  Task<void> run_timer(std::shared_ptr<asio::steady_timer> timer, Duration first, Duration period,
                       std::uint64_t generation, std::function<Task<void>()> fn);
  Task<Json> run_method(std::string method, Json args);
  void on_link_up();
  void on_link_down(const error_code& ec);
  void on_bytes(std::string_view bytes);
  void set_online(bool online);
  std::string describe() const;
  void note_modbus_result(const modbus::Result& result);
  // The device traffic as debug records (`-> %1POWR 1\x0D`, `<- %1POWR=OK`) for whoever
  // debugs the module: below debug, a level check and nothing else. The first
  // `secret_length` bytes sent, and the values of the driver's secret settings, show masked.
  void log_sent(std::string_view bytes, std::size_t secret_length = 0) const;
  void log_received(std::string_view frame) const;
  std::string masked(std::string_view bytes) const;

  Executor strand_;
  ModuleConfig config_;
  const DriverRegistration& driver_;
  Json settings_;
  StateStore& state_;
  Logger log_;
  ModuleDirectory& directory_;
  TransportFactory make_transport_;
  ModbusLink modbus_;

  std::shared_ptr<Driver> instance_;
  std::shared_ptr<CommandQueue> queue_;
  // Held by coroutines that may outlive an unload; drained() watches them go.
  std::weak_ptr<Driver> driver_left_;
  std::weak_ptr<CommandQueue> queue_left_;
  std::atomic<bool> retired_ = false;  // set on the strand, read by whoever reaps it
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::vector<std::shared_ptr<asio::steady_timer>> timers_;
  asio::steady_timer restart_timer_;
  std::uint64_t generation_ = 0;  // bumped on unload; late callbacks of an old load are ignored
  ModuleRunState run_state_ = ModuleRunState::stopped;
  bool link_up_ = false;
  bool online_ = false;
  int restarts_ = 0;
  int connect_failures_ = 0;
  Duration restart_delay_{1000};
  Clock::time_point loaded_at_{};
};

}  // namespace roomd
