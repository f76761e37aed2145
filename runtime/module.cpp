#include "runtime/module.hpp"

#include "base/text.hpp"
#include "runtime/sdk/printable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace roomd {
namespace {

constexpr Duration kMaxRestartDelay{60000};
constexpr Duration kStableAfter{60000};  // a module up this long starts its backoff over

std::string what(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

const char* to_string(ModuleRunState state) {
  switch (state) {
    case ModuleRunState::stopped:
      return "stopped";
    case ModuleRunState::starting:
      return "starting";
    case ModuleRunState::running:
      return "running";
    case ModuleRunState::failed:
      return "failed";
  }
  return "stopped";
}

Module::Module(Executor executor, ModuleConfig config, const DriverRegistration& driver,
               Json settings, StateStore& state, Logger log, ModuleDirectory& directory,
               TransportFactory make_transport, ModbusLink modbus)
    : strand_(asio::make_strand(executor)),
      config_(std::move(config)),
      driver_(driver),
      settings_(std::move(settings)),
      state_(state),
      log_(std::move(log)),
      directory_(directory),
      make_transport_(std::move(make_transport)),
      modbus_(std::move(modbus)),
      restart_timer_(strand_) {}

Module::~Module() {
  ++generation_;
  if (transport_) transport_->stop();
}

std::string Module::describe() const {
  if (transport_) return config_.id + " (" + transport_->describe() + ")";
  if (modbus_.bus)
    return config_.id + " (" + modbus_.bus->describe() + " unit " + std::to_string(modbus_.unit) +
           ")";
  return config_.id;
}

void Module::start() {
  asio::dispatch(strand_, [this] { load(); });
}

void Module::stop() {
  asio::dispatch(strand_, [this] {
    restart_timer_.cancel();
    unload("module stopped");
    run_state_ = ModuleRunState::stopped;
  });
}

void Module::retire(bool forget_state, std::function<void()> unloaded) {
  asio::dispatch(strand_, [this, forget_state, unloaded = std::move(unloaded)] {
    restart_timer_.cancel();
    unload("module removed by a config reload");
    run_state_ = ModuleRunState::stopped;
    retired_ = true;
    if (forget_state) {
      const auto variables = state_.module_state(config_.id);
      for (const auto& [name, value] : variables.items()) state_.erase(config_.id, name);
    }
    if (unloaded) unloaded();
  });
}

namespace {

// Holds the driver instance for as long as one of its coroutines runs.
Task<void> keep_alive(std::shared_ptr<Driver> instance, Task<void> task) {
  (void)instance;
  co_await std::move(task);
}

}  // namespace

void Module::spawn(Task<void> task, std::string where) {
  auto generation = generation_;
  asio::co_spawn(strand_, keep_alive(instance_, std::move(task)),
                 [this, generation, where = std::move(where)](std::exception_ptr error) {
                   if (!error || generation != generation_) return;
                   try {
                     std::rethrow_exception(error);
                   } catch (const RoomdError& e) {
                     // A device that did not answer a poll is the device's problem, not the
                     // driver's.
                     log_.warn(where, ": ", e.what());
                   } catch (...) {
                     fail(where, std::current_exception());
                   }
                 });
}

Task<void> Module::finish_load(Driver& driver, std::uint64_t generation) {
  co_await driver.on_load();
  if (generation != generation_) co_return;
  run_state_ = ModuleRunState::running;
  if (modbus_.bus) co_return;  // online once the unit answers (note_modbus_result)
  if (!transport_) {
    set_online(true);
    co_return;
  }
  transport_->start({
      [this, generation] {
        if (generation == generation_) on_link_up();
      },
      [this, generation](const error_code& ec) {
        if (generation == generation_) on_link_down(ec);
      },
      [this, generation](std::string_view bytes) {
        if (generation == generation_) on_bytes(bytes);
      },
  });
}

void Module::load() {
  if (retired_) return;
  run_state_ = ModuleRunState::starting;
  loaded_at_ = Clock::now();
  try {
    instance_ = std::shared_ptr<Driver>(driver_.create());
  } catch (...) {
    fail("creating the driver", std::current_exception());
    return;
  }
  instance_->attach(this);
  queue_ = std::make_shared<CommandQueue>(
      strand_, log_,
      [this](const std::string& bytes) {
        if (!transport_ || !transport_->write(bytes)) return false;
        log_sent(bytes);
        return true;
      },
      [this] { return describe(); });
  queue_->start();
  if (make_transport_) {
    try {
      transport_ = make_transport_(strand_);
      tokenizer_ = make_tokenizer(driver_.info.tokenizer, driver_.info.max_frame,
                                  [this](std::size_t dropped) {
                                    log_.warn("dropped ", dropped, " bytes from ", describe(),
                                              ": no complete frame within ", driver_.info.max_frame,
                                              " bytes (check the device's protocol settings)");
                                  });
    } catch (...) {
      fail("creating the transport", std::current_exception());
      return;
    }
    set_status("connected", false);
  }
  if (modbus_.bus) set_status("connected", false);
  spawn(finish_load(*instance_, generation_), "on_load");
}

void Module::unload(const std::string& reason) {
  if (!instance_) return;
  ++generation_;
  for (auto& timer : timers_) timer->cancel();
  timers_.clear();
  if (queue_) queue_->stop(config_.id + ": " + reason);
  if (transport_) transport_->stop();
  try {
    instance_->on_unload();
  } catch (const std::exception& e) {
    log_.error("on_unload raised: ", e.what());
  }
  if (link_up_ || online_ || transport_ || modbus_.bus) set_status("connected", false);
  link_up_ = false;
  online_ = false;
  // Coroutines still suspended hold their own reference and end on the cancellations above.
  driver_left_ = instance_;
  queue_left_ = queue_;
  instance_.reset();
  queue_.reset();
  transport_.reset();
  tokenizer_.reset();
}

void Module::fail(const std::string& where, std::exception_ptr error) {
  if (Clock::now() - loaded_at_ > kStableAfter) restart_delay_ = Duration(1000);
  log_.error("driver ", driver_.info.name, " failed in ", where, ": ", what(error),
             "; restarting in ", restart_delay_.count() / 1000.0, " s");
  directory_.module_event(
      config_.id, "failed",
      "driver " + driver_.info.name + " failed in " + where + ": " + what(error));
  unload("driver failed");
  set_status("connected", false);
  run_state_ = ModuleRunState::failed;
  ++restarts_;
  restart_timer_.expires_after(restart_delay_);
  restart_delay_ = std::min(restart_delay_ * 2, kMaxRestartDelay);
  auto generation = generation_;
  restart_timer_.async_wait([this, generation](const error_code& ec) {
    if (ec || generation != generation_) return;
    log_.info("restarting driver ", driver_.info.name);
    directory_.module_event(config_.id, "restarted",
                            "after " + std::to_string(restarts_) + " failure(s)");
    load();
  });
}

void Module::set_online(bool online) {
  if (online_ == online) return;
  online_ = online;
  queue_->set_online(online);
  set_status("connected", online);
  directory_.module_event(config_.id, online ? "connected" : "disconnected", describe());
}

void Module::set_status(std::string_view name, Json value) {
  // A coroutine of a retired module that ran on after its unload: its variables are gone.
  if (retired_) return;
  if (log_.enabled(LogLevel::debug)) {
    auto text = to_text(value);
    if (state_.set(config_.id, name, std::move(value))) log_.debug("status ", name, " = ", text);
    return;
  }
  state_.set(config_.id, name, std::move(value));
}

Json Module::status(std::string_view name) const {
  return state_.get(config_.id, name).value_or(Json(nullptr));
}

void Module::start_timer(Duration first, Duration period, std::function<Task<void>()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(strand_);
  timers_.push_back(timer);
  spawn(run_timer(timer, first, period, generation_, std::move(fn)), "timer");
}

Task<void> Module::run_timer(std::shared_ptr<asio::steady_timer> timer, Duration first,
                             Duration period, std::uint64_t generation,
                             std::function<Task<void>()> fn) {
  timer->expires_after(first);
  for (;;) {
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || generation != generation_) break;
    try {
      co_await fn();
    } catch (const RoomdError& e) {
      // One failed poll is no reason to stop polling.
      log_.warn("timer: ", e.what());
    }
    if (period == Duration::zero() || generation != generation_) break;
    timer->expires_after(period);
  }
  // One-shot timers (a poll after each reconnect) must not pile up over a long uptime.
  if (generation == generation_) std::erase(timers_, timer);
}

bool Module::online() const {
  return online_;
}

void Module::ready() {
  if (!link_up_) return;
  set_online(true);
}

void Module::clear_queue(const std::string& reason) {
  if (queue_) queue_->clear(reason);
}

Task<Json> Module::exec(std::string method, Json args) {
  co_return co_await asio::co_spawn(strand_, run_method(std::move(method), std::move(args)),
                                    asio::use_awaitable);
}

void Module::exec(std::string method, Json args,
                  std::function<void(std::exception_ptr, Json)> done) {
  asio::co_spawn(strand_, run_method(std::move(method), std::move(args)), std::move(done));
}

Task<Json> Module::run_method(std::string method, Json args) {
  const auto* entry = driver_.methods->find(method);
  if (!entry) {
    std::string known;
    for (const auto& m : driver_.info.methods) known += (known.empty() ? "" : ", ") + m.signature();
    throw BadArguments("unknown method '" + excerpt(method) + "' on " + config_.id + " (" +
                       driver_.info.name + "); methods: " + known);
  }
  auto values = MethodTable::bind_arguments(entry->info, args);
  auto instance = instance_;  // keeps the driver alive while the method runs
  if (!instance)
    throw RequestFailed(config_.id + " is " + to_string(run_state_) +
                        (run_state_ == ModuleRunState::failed ? " (restarting)" : "") +
                        "; method not run");
  std::string failure;
  try {
    co_return co_await entry->invoke(*instance, std::move(values));
  } catch (const RoomdError&) {
    throw;
  } catch (const std::exception& e) {
    failure = e.what();
  }
  // The driver raised something that is not a roomd error: the call failed, the module lives.
  throw RequestFailed(config_.id + " " + method + ": " + failure);
}

Task<Json> Module::call(std::string module, int index, std::string method, Json args) {
  auto* peer = directory_.find_peer(config_.id, module, index);
  if (!peer)
    throw RequestFailed(config_.id + ": no module " + module + "_" + std::to_string(index) +
                        " in this module's system");
  co_return co_await peer->exec(std::move(method), std::move(args));
}

void Module::raise_alert(std::string_view key, AlertSeverity severity, std::string title) {
  if (retired_) return;
  directory_.driver_alert_raised(config_.id, key, severity, title);
}

void Module::clear_alert(std::string_view key) {
  if (retired_) return;
  directory_.driver_alert_cleared(config_.id, key);
}

std::vector<PeerInfo> Module::peers() const {
  return directory_.peers_of(config_.id);
}

Subscription Module::watch(std::string_view module, int index, std::string_view status,
                           std::function<void(const Json&)> on_change) {
  auto* peer = directory_.find_peer(config_.id, module, index);
  if (!peer) {
    log_.warn("watch: no module ", module, "_", index, " in this module's system");
    return {};
  }
  auto generation = generation_;
  auto deliver = [this, generation, on_change](Json value) {
    asio::post(strand_, [this, generation, on_change, value = std::move(value)] {
      if (generation != generation_) return;
      try {
        on_change(value);
      } catch (...) {
        fail("a watch callback", std::current_exception());
      }
    });
  };
  if (auto current = state_.get(peer->module_id(), status)) deliver(*current);
  return state_.subscribe(
      peer->module_id(), status,
      [deliver](std::string_view, std::string_view, const Json& value) { deliver(value); });
}

}  // namespace roomd
