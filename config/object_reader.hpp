// The config validation toolkit's reader for one JSON object: typed fields by key, nested
// objects and arrays with their paths, and the keys nobody asked for reported as typos.
#pragma once

#include "base/json.hpp"
#include "config/json_checks.hpp"
#include "config/validator.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace roomd::validation {

// Reads one JSON object field by field. Every lookup marks its key as known, so whatever
// is left at the end is a typo. Getters store into `out` only valid values (a missing
// optional field keeps the caller's default) and return false when there is no usable
// value. A reader for a missing or non-object value is empty: its getters report nothing,
// so one "required" or type error is not followed by one error per field inside.
class ObjectReader {
 public:
  ObjectReader(const Json& json, Validator v);

  bool valid() const { return json_ != nullptr; }
  const std::string& path() const { return v_.path(); }
  Validator at(std::string_view key) const { return v_.key(key); }
  void error(std::string message) const { v_.error(std::move(message)); }
  std::size_t error_count() const { return v_.error_count(); }

  const Json* find(std::string_view key, Need need = kOptional);
  bool has(std::string_view key) { return find(key) != nullptr; }

  template <class T, class Convert>
  bool read(std::string_view key, T& out, Need need, Convert convert) {
    const Json* value = find(key, need);
    if (value == nullptr) return need == kOptional;
    auto result = convert(*value, v_.key(key));
    if (!result) return false;
    out = *std::move(result);
    return true;
  }
  bool string(std::string_view key, std::string& out, Need need = kOptional) {
    return read(key, out, need, as_string);
  }
  bool boolean(std::string_view key, bool& out) { return read(key, out, kOptional, as_bool); }
  bool object(std::string_view key, Json& out) { return read(key, out, kOptional, as_object); }
  bool port(std::string_view key, std::uint16_t& out) { return read(key, out, kOptional, as_port); }
  bool duration(std::string_view key, Duration& out) {
    return read(key, out, kOptional, as_duration);
  }
  template <class Level>  // LogLevel, or std::optional<LogLevel> where "unset" matters
  bool log_level(std::string_view key, Level& out) {
    return read(key, out, kOptional, as_log_level);
  }
  bool choice(std::string_view key, std::string& out, std::span<const std::string_view> choices,
              Need need) {
    return read(key, out, need, [&](const Json& value, const Validator& v) {
      return as_choice(value, v, choices);
    });
  }

  ObjectReader child(std::string_view key, Need need = kOptional) {
    const Json* value = find(key, need);
    return value != nullptr ? ObjectReader(*value, v_.key(key)) : ObjectReader(v_.key(key));
  }

  // Calls visit(element, validator) for each element of the array at `key`.
  template <class Visit>
  void for_each(std::string_view key, Need need, Visit visit) {
    const Json* value = find(key, need);
    if (value == nullptr) return;
    if (!value->is_array()) {
      type_error(v_.key(key), "an array", *value);
      return;
    }
    for (std::size_t i = 0; i < value->size(); ++i) visit((*value)[i], v_.key(key).index(i));
  }

  void string_list(std::string_view key, std::vector<std::string>& out);

  // Returns how many unknown keys were reported.
  std::size_t reject_unknown_keys() const;

 private:
  explicit ObjectReader(Validator v) : v_(std::move(v)) {}  // the empty reader

  const Json* json_ = nullptr;
  Validator v_;
  std::vector<std::string> known_;
};

}  // namespace roomd::validation
