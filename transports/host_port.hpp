// "host:port" text for logs and describe(), shared by the socket transports. IPv6 literals get
// brackets so the port stays readable: "[fe80::1]:4352".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace roomd {

inline std::string host_port(std::string_view host, std::uint16_t port) {
  std::string text;
  const bool bracket = host.find(':') != std::string_view::npos;
  if (bracket) text += '[';
  text += host;
  if (bracket) text += ']';
  text += ':';
  text += std::to_string(port);
  return text;
}

}  // namespace roomd
