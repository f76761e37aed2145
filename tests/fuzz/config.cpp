// Fuzz target: the config loader, which reads a file an installer edits by hand.
#include "config/config.hpp"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto result =
      roomd::parse_config(std::string_view(reinterpret_cast<const char*>(data), size));
  if (result.config.has_value() == !result.errors.empty()) {
    std::fprintf(stderr, "config fuzz: a config must come with no errors, errors with none\n");
    std::abort();
  }
  for (const auto& error : result.errors) (void)error.text();
  return 0;
}
