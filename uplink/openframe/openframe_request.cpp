#include "uplink/openframe/openframe_request.hpp"

#include "base/json_parse.hpp"
#include "base/text.hpp"

#include <algorithm>
#include <array>
#include <span>

namespace roomd::openframe {

namespace {

constexpr const char* kConnectionError = "CONNECTION_ERROR";
constexpr const char* kSubscriptionError = "SUBSCRIPTION_ERROR";
constexpr const char* kTopicList = "devices, alerts, system_status";

RequestError connection_error(std::string message) {
  return {kConnectionError, std::move(message)};
}
RequestError subscription_error(std::string message) {
  return {kSubscriptionError, std::move(message)};
}

// Outside text in an error message: bounded, and visibly where it starts and ends.
std::string in_quotes(std::string_view text) {
  return "\"" + excerpt(text) + "\"";
}

std::string type_name(const Json& value) {
  return value.type_name();
}

// A filter's value: one string or a list of strings, each among `allowed` when it is given.
std::optional<RequestError> read_filter(const std::string& name, const Json& value,
                                        std::span<const std::string_view> allowed,
                                        std::vector<std::string>& out) {
  auto take = [&](const Json& item) -> std::optional<RequestError> {
    if (!item.is_string())
      return subscription_error("filter " + name +
                                " must be a string or a list of strings; got a list holding " +
                                type_name(item));
    const auto& text = item.get_ref<const std::string&>();
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
      std::string choices;
      for (auto choice : allowed) choices += (choices.empty() ? "" : ", ") + std::string(choice);
      return subscription_error("filter " + name + ": unknown value " + in_quotes(text) +
                                "; expected " + choices);
    }
    out.push_back(text);
    return std::nullopt;
  };
  if (value.is_string()) return take(value);
  if (!value.is_array())
    return subscription_error("filter " + name + " must be a string or a list of strings; got " +
                              type_name(value));
  for (const auto& item : value)
    if (auto error = take(item)) return error;
  return std::nullopt;
}

std::optional<RequestError> read_filters(const Json& json, Filters& out) {
  static constexpr std::array<std::string_view, 2> kStatuses{"online", "offline"};
  static constexpr std::array<std::string_view, 4> kSeverities{"low", "medium", "high", "critical"};
  if (!json.is_object())
    return subscription_error("filters must be an object such as {\"severity\": [\"high\"]}; got " +
                              type_name(json));
  for (const auto& [name, value] : json.items()) {
    std::optional<RequestError> error;
    if (name == "system")
      error = read_filter(name, value, {}, out.system);
    else if (name == "status")
      error = read_filter(name, value, kStatuses, out.status);
    else if (name == "device_id")
      error = read_filter(name, value, {}, out.device_id);
    else if (name == "severity")
      error = read_filter(name, value, kSeverities, out.severity);
    else
      return subscription_error("unknown filter " + in_quotes(name) +
                                "; the filters are system, status, device_id (devices) and "
                                "severity (alerts)");
    if (error) return error;
  }
  return std::nullopt;
}

std::optional<RequestError> read_topics(const Json* json, std::vector<TopicId>& out) {
  if (!json)
    return subscription_error(std::string("field \"topics\" is missing; give a list of ") +
                              kTopicList);
  if (!json->is_array() || json->empty())
    return subscription_error(std::string("field \"topics\" must be a non-empty list of ") +
                              kTopicList);
  for (const auto& item : *json) {
    if (!item.is_string())
      return subscription_error("field \"topics\" must hold topic names; got " + type_name(item));
    auto topic = parse_topic(item.get_ref<const std::string&>());
    if (!topic)
      return subscription_error("unknown topic " + in_quotes(item.get_ref<const std::string&>()) +
                                "; the topics are " + kTopicList);
    if (std::find(out.begin(), out.end(), *topic) == out.end()) out.push_back(*topic);
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(TopicId topic) {
  switch (topic) {
    case TopicId::devices:
      return "devices";
    case TopicId::alerts:
      return "alerts";
    case TopicId::system_status:
      return "system_status";
  }
  return "devices";
}

std::optional<TopicId> parse_topic(std::string_view name) {
  for (auto topic : kTopics)
    if (name == to_string(topic)) return topic;
  return std::nullopt;
}

std::variant<Request, RequestError> parse_request(std::string_view text) {
  auto parsed = parse_json(text);
  if (!parsed) return connection_error("invalid JSON: " + parsed.error);
  const Json& json = parsed.value;
  if (!json.is_object())
    return connection_error("a message must be a JSON object with a \"type\"; got " +
                            type_name(json));
  auto type = json.find("type");
  if (type == json.end() || !type->is_string())
    return connection_error("field \"type\" must be \"subscribe\" or \"unsubscribe\"");
  Request request;
  const auto& kind = type->get_ref<const std::string&>();
  if (kind == "subscribe")
    request.kind = Request::Kind::subscribe;
  else if (kind == "unsubscribe")
    request.kind = Request::Kind::unsubscribe;
  else
    return connection_error("unknown message type " + in_quotes(kind) +
                            "; expected \"subscribe\" or \"unsubscribe\"");
  auto topics = json.find("topics");
  if (auto error = read_topics(topics == json.end() ? nullptr : &*topics, request.topics))
    return *error;
  if (auto filters = json.find("filters");
      filters != json.end() && request.kind == Request::Kind::subscribe) {
    if (auto error = read_filters(*filters, request.filters)) return *error;
  }
  return request;
}

}  // namespace roomd::openframe
