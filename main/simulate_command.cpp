#include "drivers/sim/simulator_registry.hpp"
#include "main/cli.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <stdexcept>

namespace roomd::cli {
namespace {

using sim::OptionKind;
using sim::SimulatorArguments;
using sim::SimulatorOption;
using sim::SimulatorRegistration;

void print_options(const SimulatorRegistration& simulator, std::FILE* out) {
  std::fprintf(out, "roomd simulate %s: %s\n", simulator.name.c_str(), simulator.serves.c_str());
  for (const auto& option : simulator.options) {
    std::string help = option.help;
    if (option.kind == OptionKind::choice) {
      help += ":";
      for (const auto& choice : option.choices) help += " " + choice;
    }
    if (!option.default_value.empty()) help += " (default " + option.default_value + ")";
    if (option.repeatable) help += " (repeatable)";
    std::fprintf(out, "  %-22s %s\n", option.synopsis().c_str(), help.c_str());
  }
}

void print_all(const sim::SimulatorRegistry& registry, std::FILE* out) {
  std::fprintf(out,
               "usage: roomd simulate SIMULATOR [options]   (SIMULATOR --help: its options)\n");
  for (const auto* simulator : registry.all()) {
    std::fprintf(out, "\n");
    print_options(*simulator, out);
  }
}

std::string option_names(const SimulatorRegistration& simulator) {
  std::string names;
  for (const auto& option : simulator.options) names += (names.empty() ? "" : ", ") + option.name;
  return names;
}

// Reads the command line against what the simulator declares and fills in the defaults.
// Throws std::invalid_argument with a message for the integrator.
SimulatorArguments parse(const SimulatorRegistration& simulator,
                         const std::vector<std::string>& words) {
  SimulatorArguments args;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const auto& word = words[i];
    if (!word.starts_with("--"))
      throw std::invalid_argument("unexpected argument \"" + word +
                                  "\" (options: " + option_names(simulator) + ")");
    const auto equals = word.find('=');
    const auto name = word.substr(0, equals);
    const auto* option = simulator.option(name);
    if (option == nullptr)
      throw std::invalid_argument("unknown option " + name + " (valid: " + option_names(simulator) +
                                  ")");
    if (option->kind == OptionKind::flag) {
      if (equals != std::string::npos) throw std::invalid_argument(name + " takes no value");
      args.add(name, "true");
      continue;
    }
    std::string value;
    if (equals != std::string::npos) {
      value = word.substr(equals + 1);
    } else if (i + 1 < words.size()) {
      value = words[++i];
    } else {
      throw std::invalid_argument(option->synopsis() + ": the value is missing");
    }
    if (auto problem = option->problem(value); !problem.empty())
      throw std::invalid_argument(name + " " + problem);
    args.add(name, std::move(value));
  }
  for (const auto& option : simulator.options)
    if (!option.default_value.empty() && !args.has(option.name))
      args.add(option.name, option.default_value);
  return args;
}

// Runs `io` until SIGINT or SIGTERM; then `stop` hangs up the simulator and `io` stops.
// The signals are blocked while the simulator starts, so threads it starts (libmodbus's)
// inherit the mask and only this thread takes them.
int serve(const SimulatorRegistration& simulator, const SimulatorArguments& args) {
  const auto command = "roomd simulate " + simulator.name;
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  sim::StartedSimulator started;
  try {
    started = simulator.start(io, args);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "%s: %s\n", command.c_str(), e.what());
    return kUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", command.c_str(), e.what());
    return kFailure;
  }
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  std::printf("%s\n", started.banner.c_str());
  std::fflush(stdout);
  signals.async_wait([&](const boost::system::error_code&, int) {
    started.stop();
    io.stop();
  });
  io.run();
  return kOk;
}

}  // namespace

int simulate(const Args& command_line) {
  sim::SimulatorRegistry registry;
  sim::register_builtin_simulators(registry);
  const auto& words = command_line.all();
  if (words.empty() || words[0] == "--help" || words[0] == "-h") {
    print_all(registry, words.empty() ? stderr : stdout);
    return words.empty() ? kUsage : kOk;
  }
  const auto* simulator = registry.find(words[0]);
  if (simulator == nullptr) {
    std::string names;
    for (const auto* s : registry.all()) names += (names.empty() ? "" : ", ") + s->name;
    std::fprintf(stderr, "roomd simulate: no simulator \"%s\" (simulators: %s)\n", words[0].c_str(),
                 names.c_str());
    return kUsage;
  }
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (words[i] == "--help" || words[i] == "-h") {
      print_options(*simulator, stdout);
      return kOk;
    }
  }
  try {
    return serve(*simulator, parse(*simulator, words));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "roomd simulate %s: %s\n", simulator->name.c_str(), e.what());
    return kUsage;
  }
}

}  // namespace roomd::cli
