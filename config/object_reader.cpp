#include "config/object_reader.hpp"

#include "config/unknown_key.hpp"

#include <algorithm>

namespace roomd::validation {

ObjectReader::ObjectReader(const Json& json, Validator v) : v_(std::move(v)) {
  if (!json.is_object()) {
    type_error(v_, "an object", json);
    return;
  }
  json_ = &json;
}

const Json* ObjectReader::find(std::string_view key, Need need) {
  known_.emplace_back(key);
  if (json_ == nullptr) return nullptr;
  const auto it = json_->find(key);
  if (it != json_->end()) return &*it;
  if (need == kRequired) v_.key(key).error("required");
  return nullptr;
}

void ObjectReader::string_list(std::string_view key, std::vector<std::string>& out) {
  for_each(key, kOptional, [&](const Json& value, const Validator& v) {
    if (auto text = as_string(value, v)) out.push_back(*std::move(text));
  });
}

std::size_t ObjectReader::reject_unknown_keys() const {
  if (json_ == nullptr) return 0;
  std::size_t count = 0;
  for (const auto& [key, value] : json_->items()) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    v_.key(key).error(unknown_key_message(key, known_));
    ++count;
  }
  return count;
}

}  // namespace roomd::validation
