// PJLink class 1 authentication: the digest a controller prefixes to its first command and the
// random challenge a device sends in its greeting. Shared by the driver and its simulator so
// both sides compute the digest the same way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace roomd::pjlink {

// Length of the hex digest that prefixes an authenticated command.
inline constexpr std::size_t kDigestLength = 32;

// Lowercase hex MD5 of `random` immediately followed by `password` (PJLink spec §5.1).
std::string pjlink_digest(std::string_view random, std::string_view password);

// Eight lowercase hex characters for a device's `PJLINK 1 <random>` greeting.
std::string random_challenge();

}  // namespace roomd::pjlink
