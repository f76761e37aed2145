#include "base/text.hpp"

namespace roomd {

std::string excerpt(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  // Back up over continuation bytes (10xxxxxx) so a multi-byte character is not split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "…(" + std::to_string(text.size()) + " bytes)";
}

std::string json_excerpt(const Json& value, std::size_t max) {
  return excerpt(to_text(value), max);
}

}  // namespace roomd
