// What the `roomd simulate <device>` commands share: where a simulator serves (TCP or a pty,
// from --port/--bind/--pty/--link), opening it there, and running until SIGINT or SIGTERM.
#pragma once

#include "main/cli.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace roomd::cli {

struct ServeOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;
  bool pty = false;  // --pty, or implied by --link
  std::string link;  // with pty: a symlink to the pty's path
};

// Reads --port/--bind/--pty/--link. Throws std::invalid_argument for a bad --port, like
// Args::integer, so each command reports it with its own prefix as before.
ServeOptions serve_options(const Args& args, std::uint16_t default_port);

// The words in front of the line in the banner: "pty /dev/pts/3", "TCP 127.0.0.1:1515".
struct ServeWording {
  const char* pty = "pty ";
  const char* tcp = "TCP ";
  bool low_port_hint = false;  // a failure on a port below 1024 suggests an unprivileged one
};

// Opens the pty or the TCP listener and returns where it serves, for the banner; on failure
// prints "<command>: cannot listen: ..." and returns nullopt.
std::optional<std::string> open_line(const ServeOptions& serve, const char* command,
                                     const std::function<std::string(const std::string&)>& open_pty,
                                     const std::function<std::uint16_t()>& listen_tcp,
                                     const ServeWording& wording = {});

// Runs `io` until SIGINT or SIGTERM; then `close` hangs up the simulator and `io` stops.
void run_until_signal(boost::asio::io_context& io, const std::function<void()>& close);

}  // namespace roomd::cli
