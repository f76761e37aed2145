// roomd: the room controller daemon and its tools (see `roomd --help`).
#include "main/cli.hpp"
#include "runtime/sdk/version.hpp"

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace roomd;
  std::vector<std::string> rest(argv + (argc > 1 ? 2 : 1), argv + argc);
  std::string command = argc > 1 ? argv[1] : "--help";
  cli::Args args(rest);
  try {
    if (command == "run") return cli::run(args);
    if (command == "check-config") return cli::check_config(args);
    if (command == "drivers") return cli::drivers(args);
    if (command == "simulate") return cli::simulate(args);
    if (command == "ports") return cli::ports(args);
    if (command == "--version" || command == "version") {
      std::printf("roomd %s\n", kVersion);
      return cli::kOk;
    }
    if (command == "--help" || command == "-h" || command == "help") {
      cli::print_usage();
      return cli::kOk;
    }
    std::fprintf(stderr, "roomd: unknown command \"%s\"\n\n", command.c_str());
    cli::print_usage();
    return cli::kUsage;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "roomd %s: %s\n", command.c_str(), e.what());
    return cli::kUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "roomd %s: %s\n", command.c_str(), e.what());
    return cli::kFailure;
  }
}
