// What an OpenFrame client may send on /v1/ws (dialects.md "OpenFrame"): subscribe and
// unsubscribe, with topics and filters. Parsing checks everything the session relies on, so
// a bad message gets its answer (CONNECTION_ERROR, SUBSCRIPTION_ERROR) before anything acts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace roomd::openframe {

enum class TopicId { devices, alerts, system_status };
constexpr TopicId kTopics[] = {TopicId::devices, TopicId::alerts, TopicId::system_status};
const char* to_string(TopicId topic);
std::optional<TopicId> parse_topic(std::string_view name);

// Each filter: the values accepted, any of them; empty: no filter. A device matches when it
// passes every filter given.
struct Filters {
  std::vector<std::string> system;     // devices: system ids
  std::vector<std::string> status;     // devices: online, offline
  std::vector<std::string> device_id;  // devices: module ids
  std::vector<std::string> severity;   // alerts: low, medium, high, critical
};

struct Request {
  enum class Kind { subscribe, unsubscribe };
  Kind kind = Kind::subscribe;
  std::vector<TopicId> topics;  // each once, in the order given
  Filters filters;
};

struct RequestError {
  const char* code;     // "CONNECTION_ERROR" (not a message at all) or "SUBSCRIPTION_ERROR"
  std::string message;  // for the client: what was wrong and what is expected
};

std::variant<Request, RequestError> parse_request(std::string_view text);

}  // namespace roomd::openframe
