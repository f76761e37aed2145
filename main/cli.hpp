// The roomd command line: one function per subcommand, each returning the exit status
// (0 ok, 1 runtime failure, 2 bad usage or bad config).
#pragma once

#include "config/config.hpp"
#include "runtime/driver_registry.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd::cli {

constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kUsage = 2;

// "--config FILE", "--config=FILE" and flags such as "--json", after the subcommand.
class Args {
 public:
  explicit Args(std::vector<std::string> args) : args_(std::move(args)) {}
  std::optional<std::string> value(std::string_view name) const;
  bool flag(std::string_view name) const;
  // Every value of a repeatable option ("--unit 1:s8 --unit 2:xy_md02").
  std::vector<std::string> values(std::string_view name) const;
  // Positional arguments (not options, not option values).
  std::vector<std::string> positional(const std::vector<std::string>& valued) const;
  // An integer option within [min, max]; nullopt when absent. Throws std::invalid_argument
  // with "--port expects 1-65535, got abc" style text when present but wrong.
  std::optional<int> integer(std::string_view name, int min, int max) const;
  // Options not in `known`; each is reported as a usage error.
  std::vector<std::string> unknown(const std::vector<std::string>& known) const;
  // Every argument after the subcommand, in order.
  const std::vector<std::string>& all() const { return args_; }

 private:
  std::vector<std::string> args_;
};

// Parses a whole decimal integer within [min, max].
std::optional<int> parse_int(std::string_view text, int min, int max);

// Loads a config and checks it against the drivers: the config, or every problem.
ConfigResult check_config_file(const std::string& path, DriverRegistry& registry);
// The same, printing every problem to stderr.
std::optional<Config> load_checked(const std::string& path, DriverRegistry& registry);

int run(const Args& args);
int check_config(const Args& args);
int drivers(const Args& args);
// `roomd simulate <simulator> [options]`, with the options each simulator declares.
int simulate(const Args& args);
int ports(const Args& args);
void print_usage();

}  // namespace roomd::cli
