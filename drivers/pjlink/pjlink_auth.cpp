#include "drivers/pjlink/pjlink_auth.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <random>
#include <stdexcept>

namespace roomd::pjlink {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

std::string to_hex(const unsigned char* data, std::size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHexDigits[data[i] >> 4];
    out += kHexDigits[data[i] & 0x0f];
  }
  return out;
}

}  // namespace

std::string pjlink_digest(std::string_view random, std::string_view password) {
  std::string input;
  input.reserve(random.size() + password.size());
  input.append(random);
  input.append(password);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_size = 0;
  if (EVP_Digest(input.data(), input.size(), md.data(), &md_size, EVP_md5(), nullptr) != 1) {
    // Only possible when MD5 is disabled (a FIPS-only OpenSSL); PJLink cannot work there.
    throw std::runtime_error("pjlink: MD5 is not available from OpenSSL");
  }
  return to_hex(md.data(), md_size);
}

std::string random_challenge() {
  std::array<unsigned char, 4> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // The challenge only has to differ between connections, not resist an attacker
    // (PJLink's MD5 scheme does not either), so a weaker source is acceptable.
    std::random_device rd;
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
  }
  return to_hex(bytes.data(), bytes.size());
}

}  // namespace roomd::pjlink
