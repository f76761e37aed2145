#include "main/cli.hpp"
#include "transports/serial_port_catalog.hpp"

#include <cstdio>

namespace roomd::cli {

int ports(const Args& args) {
  auto unknown = args.unknown({});
  if (!unknown.empty()) {
    std::fprintf(stderr, "usage: roomd ports\n");
    return kUsage;
  }
  SystemPortCatalog catalog;
  print_port_table(stdout, catalog.ports());
  return kOk;
}

}  // namespace roomd::cli
