// Session ids no client can guess: 120 bits from the kernel's random source, written in
// base64url (20 characters), as Engine.IO and Socket.IO ids are.
#pragma once

#include <string>

namespace roomd {

std::string random_session_id();

}  // namespace roomd
