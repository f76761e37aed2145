// Fuzz target: the PlaceOS request parser, which reads every WebSocket text frame a client
// sends before anything checks who sent it.
#include "uplink/placeos/request.hpp"

#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "placeos request fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using roomd::placeos::Cmd;
  const auto parsed =
      roomd::placeos::parse_request(std::string_view(reinterpret_cast<const char*>(data), size));
  const auto* request = std::get_if<roomd::placeos::Request>(&parsed);
  if (!request) return 0;
  // What the handlers rely on without checking again.
  if (request->index < 1) finding("an index below 1");
  const bool named =
      request->cmd == Cmd::bind || request->cmd == Cmd::unbind || request->cmd == Cmd::exec;
  if (named && request->name.empty()) finding("a bind, unbind or exec without a name");
  if (!request->args.is_array() && !request->args.is_object()) finding("args of another type");
  return 0;
}
