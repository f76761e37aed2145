// One client request of the PlaceOS real-time protocol (protocol.md §3), parsed and checked
// field by field, so each handler starts from a request that is known to be well formed.
#pragma once

#include "base/json.hpp"
#include "uplink/core/failure.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace roomd::placeos {

enum class Cmd { bind, unbind, exec, debug, ignore };

struct Request {
  std::string id;  // the id's JSON text (a number or a string) as the client wrote it
  Cmd cmd = Cmd::bind;
  std::string sys;
  std::string mod;
  int index = 1;
  std::string name;  // status (bind/unbind) or method (exec); empty for debug/ignore
  Json args = Json::array();
  std::optional<std::string> level;  // debug: the level to stream at
};

struct RequestError {
  std::string id;  // JSON text; "null" when it could not be read
  ErrorCode code;
  std::string message;
};

std::variant<Request, RequestError> parse_request(std::string_view text);

}  // namespace roomd::placeos
