// Where a simulator started from the command line serves, shared by the simulators that speak
// over TCP and a pseudo-terminal: the --port/--bind/--pty/--link options, and opening one of
// the two with a banner line that says where it is.
#pragma once

#include "drivers/sim/simulator_arguments.hpp"
#include "drivers/sim/simulator_option.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace roomd::sim {

struct ServeLine {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;
  bool pty = false;  // the pty flag, or implied by --link
  std::string link;  // with pty: a symlink to the pty's path

  // `pty_flag` is "--pty", "--rtu" where the serial line also changes the framing, or null
  // for a simulator that serves TCP only.
  static ServeLine from(const SimulatorArguments& args, const char* pty_flag = "--pty");
};

// The declarations of --port (defaulting to `default_port`) and --bind, and unless `pty_flag`
// is null also that flag and --link.
std::vector<SimulatorOption> serve_line_options(std::uint16_t default_port,
                                                const char* pty_flag = "--pty");

// The words in front of where it serves in the banner: "pty /dev/pts/3", "TCP 127.0.0.1:1515".
struct ServeWording {
  const char* pty = "pty ";
  const char* tcp = "TCP ";
  bool low_port_hint = false;  // a failure on a port below 1024 suggests an unprivileged one
};

// Opens the pty or the TCP listener and returns where it serves, for the banner. Throws
// std::runtime_error "cannot listen: ..." when it cannot.
std::string open_line(const ServeLine& line,
                      const std::function<std::string(const std::string&)>& open_pty,
                      const std::function<std::uint16_t()>& listen_tcp,
                      const ServeWording& wording = {});

}  // namespace roomd::sim
