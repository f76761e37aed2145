// The device simulators `roomd simulate` can start, registered like the drivers: each driver
// folder declares its simulator (name, what it serves, its options and how it starts) and
// builtin_simulators.cpp collects them, one line each.
#pragma once

#include "drivers/sim/simulator_arguments.hpp"
#include "drivers/sim/simulator_option.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace roomd::sim {

// A simulator serving on the command's io_context until stop() on SIGINT or SIGTERM.
struct StartedSimulator {
  std::string banner;  // one line: what it is and where it serves
  std::function<void()> stop;
};

struct SimulatorRegistration {
  std::string name;    // `roomd simulate <name>`
  std::string driver;  // the driver it stands in for; also accepted as the name
  std::string serves;  // one line for the help text
  std::vector<SimulatorOption> options;
  // Starts serving on `io`. Throws std::invalid_argument when options do not go together (a
  // usage error), and other exceptions when it cannot serve (a port in use...).
  std::function<StartedSimulator(boost::asio::io_context&, const SimulatorArguments&)> start;

  const SimulatorOption* option(std::string_view option_name) const;
};

class SimulatorRegistry {
 public:
  void add(SimulatorRegistration registration);
  // By simulator name or by the name of the driver it simulates.
  const SimulatorRegistration* find(std::string_view name) const;
  std::vector<const SimulatorRegistration*> all() const;  // by name

 private:
  std::map<std::string, SimulatorRegistration, std::less<>> simulators_;
};

// Registers the simulator of every built-in driver (drivers/sim/builtin_simulators.cpp).
void register_builtin_simulators(SimulatorRegistry& registry);

}  // namespace roomd::sim
