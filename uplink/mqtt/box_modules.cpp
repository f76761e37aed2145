#include "uplink/mqtt/box_modules.hpp"

#include "uplink/core/request_core.hpp"

#include <set>

namespace roomd {

std::vector<PlacedModule> box_modules(RequestCore& core) {
  // The upstream speaks for the whole box, whatever a key may see.
  const Caller box{
      .grant = {.key_id = "upstream", .role = Role::admin, .all_systems = true, .systems = {"*"}},
      .peer = "upstream",
      .via = "mqtt",
      .executor = core.strand};
  std::vector<PlacedModule> out;
  std::set<std::string> seen;
  for (auto& system : core.visible_systems(box))
    for (auto& member : system.modules)
      if (member.module && seen.insert(member.module_id).second)
        out.push_back({system.id, std::move(member)});
  return out;
}

}  // namespace roomd
