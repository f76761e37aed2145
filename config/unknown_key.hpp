// The message for a key nobody asked for: "unknown key", with the nearest known key when
// it is likely a typo ("trasnport": did you mean "transport"?).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace roomd::validation {

std::string unknown_key_message(std::string_view key, std::span<const std::string> known);

}  // namespace roomd::validation
