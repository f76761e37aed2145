#include "uplink/placeos/request.hpp"

#include "base/json_parse.hpp"
#include "base/text.hpp"

#include <charconv>

namespace roomd::placeos {

namespace {

std::optional<Cmd> parse_cmd(const std::string& text) {
  if (text == "bind") return Cmd::bind;
  if (text == "unbind") return Cmd::unbind;
  if (text == "exec") return Cmd::exec;
  if (text == "debug") return Cmd::debug;
  if (text == "ignore") return Cmd::ignore;
  return std::nullopt;
}

// index: an integer >= 1, or a string holding one ("2").
std::optional<int> parse_index(const Json& value) {
  if (value.is_number_integer()) {
    auto n = value.get<std::int64_t>();
    if (n >= 1 && n <= 1'000'000) return static_cast<int>(n);
    return std::nullopt;
  }
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    int n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && end == text.data() + text.size() && n >= 1) return n;
  }
  return std::nullopt;
}

constexpr const char* kNoId = "null";

RequestError bad(const std::string& id, std::string message) {
  return {id, ErrorCode::bad_request, std::move(message)};
}

const std::string* string_field(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : it->get_ptr<const std::string*>();
}

}  // namespace

std::variant<Request, RequestError> parse_request(std::string_view text) {
  auto parsed = parse_json(text, {.raw_number_key = "id"});
  if (!parsed) return RequestError{kNoId, ErrorCode::parse_error, "invalid JSON: " + parsed.error};
  auto& json = parsed.value;
  if (!json.is_object())
    return RequestError{kNoId, ErrorCode::parse_error,
                        std::string("expected a JSON object, got ") + json.type_name()};

  Request request;
  auto id = json.find("id");
  if (id == json.end()) return bad(kNoId, "missing field \"id\" (number or string)");
  if (!id->is_number() && !id->is_string())
    return bad(kNoId,
               std::string("field \"id\" must be a number or a string, got ") + id->type_name());
  // A number that is not a 64-bit integer goes back exactly as written, not as a double.
  request.id =
      id->is_number_float() && !parsed.raw_number.empty() ? parsed.raw_number : to_text(*id);

  auto cmd_field = json.find("cmd");
  if (cmd_field == json.end()) return bad(request.id, "missing field \"cmd\"");
  if (!cmd_field->is_string()) return bad(request.id, "field \"cmd\" must be a string");
  auto cmd = parse_cmd(cmd_field->get_ref<const std::string&>());
  if (!cmd)
    return RequestError{request.id, ErrorCode::unknown_command,
                        "unknown command " + json_excerpt(*cmd_field) +
                            " (expected bind, unbind, exec, debug or ignore)"};
  request.cmd = *cmd;

  for (auto [key, out] : {std::pair{"sys", &request.sys}, std::pair{"mod", &request.mod}}) {
    auto it = json.find(key);
    if (it == json.end()) return bad(request.id, std::string("missing field \"") + key + "\"");
    if (!it->is_string())
      return bad(request.id,
                 std::string("field \"") + key + "\" must be a string, got " + it->type_name());
    *out = it->get<std::string>();
  }

  if (auto it = json.find("index"); it != json.end() && !it->is_null()) {
    auto index = parse_index(*it);
    if (!index)
      return bad(request.id, "field \"index\" must be an integer >= 1, got " + json_excerpt(*it));
    request.index = *index;
  }

  const bool needs_name =
      request.cmd == Cmd::bind || request.cmd == Cmd::unbind || request.cmd == Cmd::exec;
  if (auto it = json.find("name"); it != json.end() && !it->is_null()) {
    if (!it->is_string())
      return bad(request.id,
                 std::string("field \"name\" must be a string, got ") + it->type_name());
    request.name = it->get<std::string>();
  } else if (needs_name) {
    return bad(request.id, "missing field \"name\"");
  }
  if (needs_name && request.name.empty()) return bad(request.id, "field \"name\" is empty");

  if (request.cmd == Cmd::exec) {
    if (auto it = json.find("args"); it != json.end() && !it->is_null()) {
      if (!it->is_array() && !it->is_object())
        return bad(request.id, std::string("field \"args\" must be an array or an object, got ") +
                                   it->type_name());
      request.args = std::move(*it);
    }
  }
  if (request.cmd == Cmd::debug) {
    if (const auto* level = string_field(json, "level")) request.level = *level;
  }
  return request;
}

}  // namespace roomd::placeos
