#include "drivers/sim/serve_line.hpp"

#include <exception>
#include <stdexcept>

namespace roomd::sim {

ServeLine ServeLine::from(const SimulatorArguments& args, const char* pty_flag) {
  ServeLine line;
  line.port = static_cast<std::uint16_t>(args.integer("--port"));
  if (args.has("--bind")) line.bind = args.text("--bind");
  line.link = args.text("--link");
  line.pty = (pty_flag != nullptr && args.flag(pty_flag)) || !line.link.empty();
  return line;
}

std::vector<SimulatorOption> serve_line_options(std::uint16_t default_port, const char* pty_flag) {
  std::vector<SimulatorOption> options{
      {.name = "--port",
       .kind = OptionKind::integer,
       .default_value = std::to_string(default_port),
       .help = "TCP port to listen on (0 picks a free one)",
       .value_name = "N",
       .min = 0,
       .max = 65535},
      {.name = "--bind",
       .kind = OptionKind::text,
       .default_value = "127.0.0.1",
       .help = "address to listen on",
       .value_name = "ADDR"},
  };
  if (pty_flag == nullptr) return options;
  options.push_back({.name = pty_flag,
                     .kind = OptionKind::flag,
                     .help = "serve a serial line on a new pseudo-terminal instead of TCP"});
  options.push_back({.name = "--link",
                     .kind = OptionKind::text,
                     .help = "with a pseudo-terminal: symlink it here (implies the pty)",
                     .value_name = "PATH"});
  return options;
}

std::string open_line(const ServeLine& line,
                      const std::function<std::string(const std::string&)>& open_pty,
                      const std::function<std::uint16_t()>& listen_tcp,
                      const ServeWording& wording) {
  try {
    if (line.pty) {
      auto where = wording.pty + open_pty(line.link);
      if (!line.link.empty()) where += " (linked as " + line.link + ")";
      return where;
    }
    return wording.tcp + line.bind + ":" + std::to_string(listen_tcp());
  } catch (const std::exception& e) {
    const bool privileged = wording.low_port_hint && line.port != 0 && line.port < 1024;
    throw std::runtime_error(std::string("cannot listen: ") + e.what() +
                             (privileged ? " (ports below 1024 need root: try --port 2323)" : ""));
  }
}

}  // namespace roomd::sim
