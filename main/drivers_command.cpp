#include "base/json.hpp"
#include "main/cli.hpp"

#include <cstdio>

namespace roomd::cli {

int drivers(const Args& args) {
  DriverRegistry registry;
  register_builtin_drivers(registry);
  if (args.flag("--json")) {
    Json out = Json::array();
    for (const auto* d : registry.all()) out.push_back(to_json(d->info));
    std::printf("%s\n", out.dump(2).c_str());
    return kOk;
  }
  for (const auto* d : registry.all()) {
    const auto& info = d->info;
    std::printf("%s  (%s) %s\n", info.name.c_str(), info.generic_name.c_str(),
                info.description.c_str());
    std::printf("  transport: %s", to_string(info.transport));
    if (info.default_port) std::printf(" port %u", info.default_port);
    std::printf("\n  settings:\n");
    for (const auto& s : info.settings)
      std::printf("    %-12s %-9s default %-6s %s\n", s.name.c_str(), s.type.c_str(),
                  s.default_value.dump().c_str(), s.description.c_str());
    std::printf("  status:\n");
    for (const auto& s : info.status)
      std::printf("    %-12s %-9s %s\n", s.name.c_str(), s.type.c_str(), s.description.c_str());
    std::printf("  methods:\n");
    for (const auto& m : info.methods)
      std::printf("    %-40s -> %-8s %s\n", m.signature().c_str(), m.returns.c_str(),
                  m.description.c_str());
    std::printf("\n");
  }
  return kOk;
}

}  // namespace roomd::cli
