// Every module of the box once, in config order, where the upstream names it: under the first
// system it is in (as the recorder's status changes do). Modules in no system have no topic.
#pragma once

#include "uplink/core/views.hpp"

#include <string>
#include <vector>

namespace roomd {

struct RequestCore;

struct PlacedModule {
  std::string sys;
  MemberView member;
};

// On the request core's strand.
std::vector<PlacedModule> box_modules(RequestCore& core);

}  // namespace roomd
