// Fuzz target: the OpenFrame request parser, which reads every text frame an OpenFrame client
// sends on /v1/ws.
#include "uplink/openframe/openframe_request.hpp"

#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "openframe request fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace roomd::openframe;
  const auto parsed = parse_request(std::string_view(reinterpret_cast<const char*>(data), size));
  if (const auto* error = std::get_if<RequestError>(&parsed)) {
    if (error->message.empty()) finding("an error without a message");
    // Outside text is quoted short, so an answer never grows with the input.
    if (error->message.size() > 400) finding("an error message over 400 bytes");
    return 0;
  }
  // What the session relies on without checking again.
  const auto& request = std::get<Request>(parsed);
  if (request.topics.empty()) finding("a request without topics");
  for (std::size_t i = 0; i < request.topics.size(); ++i)
    for (std::size_t j = i + 1; j < request.topics.size(); ++j)
      if (request.topics[i] == request.topics[j]) finding("a topic named twice");
  for (const auto& status : request.filters.status)
    if (status != "online" && status != "offline") finding("an unknown status filter");
  return 0;
}
