#include "main/cli.hpp"
#include "main/config_reload.hpp"
#include "main/device_links.hpp"
#include "main/file_limit.hpp"
#include "main/service_notifier.hpp"
#include "main/store_and_forward.hpp"
#include "runtime/runtime.hpp"
#include "uplink/exosite/exosite_front_end.hpp"
#include "uplink/http/api_context.hpp"
#include "uplink/http/api_server.hpp"
#include "uplink/http/panel_front_end.hpp"
#include "uplink/openframe/openframe_front_end.hpp"
#include "uplink/outbox/outbox.hpp"
#include "uplink/placeos/placeos_front_end.hpp"
#include "uplink/socketio/das_front_end.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <cstdio>
#include <functional>
#include <optional>

namespace roomd::cli {

int run(const Args& args) {
  auto unknown = args.unknown({"--config", "--state-dir"});
  if (!unknown.empty()) {
    std::fprintf(stderr, "roomd run: unknown option %s\n", unknown[0].c_str());
    return kUsage;
  }
  auto path = args.value("--config");
  if (!path) {
    std::fprintf(stderr, "usage: roomd run --config FILE [--state-dir DIR]\n");
    return kUsage;
  }
  DriverRegistry registry;
  register_builtin_drivers(registry);
  auto config = load_checked(*path, registry);
  if (!config) return kUsage;
  if (auto dir = args.value("--state-dir")) config->box.state_dir = *dir;

  // Before anything opens files; the API sizes its connection bound by the result.
  const auto files = raise_file_limit();
  // Past a file size limit (LimitFSIZE=, ulimit -f) a write must fail with EFBIG, which the
  // outbox and the state store survive and report, instead of the signal killing the box.
  std::signal(SIGXFSZ, SIG_IGN);
  asio::io_context io(1);
  Runtime runtime(io, std::move(*config), registry, make_device_links());
  auto log = runtime.logs().system_logger();
  if (!files.error.empty())
    log.warn("could not raise the open-file limit from ", files.before, ": ", files.error);
  else if (files.now != files.before)
    log.info("open-file limit raised from ", files.before, " to ", files.now);
  ApiServer api(io, runtime);
  api.mount(std::make_shared<PlaceosFrontEnd>());
  api.mount(std::make_shared<ExositeFrontEnd>());
  api.mount(std::make_shared<PanelFrontEnd>());
  api.mount(std::make_shared<OpenFrameFrontEnd>(runtime.config().dialects.openframe.status_every));
  api.mount(std::make_shared<DasFrontEnd>(runtime.config().dialects.das));
  // Before the modules start, so the outbox records their first status.
  StoreAndForward upstream(api.context());
  runtime.start();
  try {
    api.start();
  } catch (const std::exception& e) {
    log.fatal(e.what());
    runtime.stop();
    upstream.stop();
    runtime.flush();
    return kFailure;
  }

  ConfigReload reload(*path, args.value("--state-dir"), registry, runtime, api, upstream);
  ServiceNotifier systemd(io, [&] {
    std::optional<std::uint64_t> pending;
    if (auto* outbox = upstream.outbox()) pending = outbox->stats().pending;
    return service_summary(api.context().health(), api.open_sessions(), pending);
  });

  // On SIGTERM the panels are told the box is going away (1001) and get a moment to answer,
  // the modules unload, and the loop ends; the outbox commits what is queued after it.
  asio::steady_timer drain(io);
  Clock::time_point drain_deadline;
  std::function<void()> end_when_closed = [&] {
    if (api.open_sessions() == 0 || Clock::now() >= drain_deadline) return io.stop();
    drain.expires_after(std::chrono::milliseconds(10));
    drain.async_wait([&](const error_code& ec) {
      if (!ec) end_when_closed();
    });
  };

  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const error_code&, int)> on_signal = [&](const error_code& ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      systemd.reloading();
      reload.run();
      systemd.reloaded();
      signals.async_wait(on_signal);
      return;
    }
    log.info("received ", signo == SIGINT ? "SIGINT" : "SIGTERM", "; stopping");
    systemd.stopping();
    api.stop();
    upstream.stop_upstream();
    runtime.stop();
    // Let the modules' unload run, then end the loop once the sessions closed.
    drain_deadline = Clock::now() + std::chrono::seconds(2);
    asio::post(io, [&] { end_when_closed(); });
  };
  signals.async_wait(on_signal);

  systemd.ready();
  io.run();
  upstream.stop();
  runtime.flush();
  log.info("stopped");
  return kOk;
}

}  // namespace roomd::cli
