// API keys and what they allow: a key from the config is found in constant time by the SHA-256
// of what the client presented, and carries a role (viewer < operator < admin) and the systems
// it may see. Only a key's id or a short hash ever reaches a log.
#pragma once

#include "config/config.hpp"
#include "runtime/sdk/driver_info.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomd {

enum class Role { viewer = 0, op = 1, admin = 2 };
const char* to_string(Role role);
// "admin", "operator", anything else viewer (the config loader checked the name).
Role parse_role(std::string_view name);

struct Grant {
  std::string key_id;
  Role role = Role::viewer;
  bool all_systems = false;
  std::vector<std::string> systems;

  bool may_see(std::string_view system_id) const;
  bool at_least(Role needed) const { return role >= needed; }
};

class ApiKeys {
 public:
  explicit ApiKeys(const std::vector<ApiKeyConfig>& keys);

  // The grant of the key `presented`, or nullptr. Every configured key is compared, with a
  // constant-time comparison of digests, so timing tells nothing about which one matched.
  const Grant* authenticate(std::string_view presented) const;
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::array<unsigned char, 32> digest;
    Grant grant;
  };
  std::vector<Entry> entries_;
};

// Whether the key may call `method` of a driver with these methods: privileged methods
// need admin; unknown names are left to the module (it answers "unknown method").
bool may_call(const Grant& grant, const std::vector<MethodInfo>& methods, std::string_view method);

std::array<unsigned char, 32> sha256(std::string_view data);
// First 8 hex digits of the key's SHA-256: enough to tell keys apart in a log, useless to a thief.
std::string key_fingerprint(std::string_view key);

}  // namespace roomd
