#include "main/simulate_support.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <exception>

namespace roomd::cli {

ServeOptions serve_options(const Args& args, std::uint16_t default_port) {
  ServeOptions serve;
  serve.port = default_port;
  if (auto port = args.integer("--port", 0, 65535)) serve.port = static_cast<std::uint16_t>(*port);
  if (auto bind = args.value("--bind")) serve.bind = *bind;
  serve.pty = args.flag("--pty") || args.value("--link").has_value();
  serve.link = args.value("--link").value_or("");
  return serve;
}

std::optional<std::string> open_line(const ServeOptions& serve, const char* command,
                                     const std::function<std::string(const std::string&)>& open_pty,
                                     const std::function<std::uint16_t()>& listen_tcp,
                                     const ServeWording& wording) {
  try {
    if (serve.pty) {
      auto where = wording.pty + open_pty(serve.link);
      if (!serve.link.empty()) where += " (linked as " + serve.link + ")";
      return where;
    }
    return wording.tcp + serve.bind + ":" + std::to_string(listen_tcp());
  } catch (const std::exception& e) {
    const bool privileged = wording.low_port_hint && serve.port != 0 && serve.port < 1024;
    std::fprintf(stderr, "%s: cannot listen: %s%s\n", command, e.what(),
                 privileged ? " (ports below 1024 need root: try --port 2323)" : "");
    return std::nullopt;
  }
}

void run_until_signal(boost::asio::io_context& io, const std::function<void()>& close) {
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    close();
    io.stop();
  });
  io.run();
}

}  // namespace roomd::cli
