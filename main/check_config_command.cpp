#include "main/cli.hpp"
#include "runtime/module_manager.hpp"

#include <cstdio>

namespace roomd::cli {

ConfigResult check_config_file(const std::string& path, DriverRegistry& registry) {
  auto result = load_config_file(path);
  if (result.config) result.errors = check_modules(*result.config, registry);
  if (!result.errors.empty()) result.config.reset();
  return result;
}

std::optional<Config> load_checked(const std::string& path, DriverRegistry& registry) {
  auto result = check_config_file(path, registry);
  const auto& errors = result.errors;
  if (errors.empty()) return result.config;
  std::fprintf(stderr, "%s: %zu problem%s\n", path.c_str(), errors.size(),
               errors.size() == 1 ? "" : "s");
  for (const auto& error : errors) std::fprintf(stderr, "  %s\n", error.text().c_str());
  return std::nullopt;
}

int check_config(const Args& args) {
  auto files = args.positional({});
  if (files.size() != 1) {
    std::fprintf(stderr, "usage: roomd check-config FILE\n");
    return kUsage;
  }
  DriverRegistry registry;
  register_builtin_drivers(registry);
  auto config = load_checked(files[0], registry);
  if (!config) return kUsage;
  std::printf("%s: ok (%zu modules, %zu systems)\n", files[0].c_str(), config->modules.size(),
              config->systems.size());
  return kOk;
}

}  // namespace roomd::cli
