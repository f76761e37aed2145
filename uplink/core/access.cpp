#include "uplink/core/access.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>

namespace roomd {

namespace {

std::array<unsigned char, 32> from_hex(std::string_view hex) {
  std::array<unsigned char, 32> out{};
  auto nibble = [](char c) {
    return static_cast<unsigned char>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  };
  for (std::size_t i = 0; i < out.size() && 2 * i + 1 < hex.size(); ++i)
    out[i] = static_cast<unsigned char>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  return out;
}

}  // namespace

Role parse_role(std::string_view name) {
  if (name == "admin") return Role::admin;
  if (name == "operator") return Role::op;
  return Role::viewer;
}

const char* to_string(Role role) {
  switch (role) {
    case Role::admin:
      return "admin";
    case Role::op:
      return "operator";
    case Role::viewer:
      break;
  }
  return "viewer";
}

bool Grant::may_see(std::string_view system_id) const {
  return all_systems || std::find(systems.begin(), systems.end(), system_id) != systems.end();
}

bool may_call(const Grant& grant, const std::vector<MethodInfo>& methods, std::string_view method) {
  for (const auto& m : methods)
    if (m.name == method) return !m.privileged || grant.at_least(Role::admin);
  return true;
}

std::array<unsigned char, 32> sha256(std::string_view data) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

std::string key_fingerprint(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto digest = sha256(key);
  std::string out;
  for (int i = 0; i < 4; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

ApiKeys::ApiKeys(const std::vector<ApiKeyConfig>& keys) {
  for (const auto& key : keys) {
    Entry entry;
    entry.digest = key.key.empty() ? from_hex(key.key_sha256) : sha256(key.key);
    entry.grant.key_id = key.id;
    entry.grant.role = parse_role(key.role);
    // A key with no systems listed sees every system, as "*" does.
    entry.grant.all_systems =
        key.systems.empty() ||
        std::find(key.systems.begin(), key.systems.end(), "*") != key.systems.end();
    entry.grant.systems = key.systems;
    entries_.push_back(std::move(entry));
  }
}

const Grant* ApiKeys::authenticate(std::string_view presented) const {
  if (presented.empty()) return nullptr;
  const auto digest = sha256(presented);
  const Grant* found = nullptr;
  for (const auto& entry : entries_) {
    // No early exit: every entry costs the same whether or not it matches.
    if (CRYPTO_memcmp(entry.digest.data(), digest.data(), digest.size()) == 0 && found == nullptr)
      found = &entry.grant;
  }
  return found;
}

}  // namespace roomd
