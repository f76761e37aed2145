#include "runtime/sdk/methods.hpp"

#include "base/json_types.hpp"
#include "base/text.hpp"

namespace roomd {

const MethodEntry* MethodTable::find(std::string_view name) const {
  for (const auto& entry : entries_)
    if (entry->info.name == name) return entry.get();
  return nullptr;
}

std::vector<MethodInfo> MethodTable::infos() const {
  std::vector<MethodInfo> out;
  out.reserve(entries_.size());
  for (const auto& entry : entries_) out.push_back(entry->info);
  return out;
}

MethodEntry& MethodTable::add(MethodEntry entry) {
  if (find(entry.info.name))
    throw std::logic_error("driver method " + entry.info.name + " is exposed twice");
  entries_.push_back(std::make_unique<MethodEntry>(std::move(entry)));
  return *entries_.back();
}

std::vector<Json> MethodTable::bind_arguments(const MethodInfo& info, const Json& args) {
  const auto& params = info.params;
  std::vector<Json> values(params.size());
  std::vector<bool> given(params.size(), false);
  if (args.is_null()) {
    // No args at all is the same as [].
  } else if (args.is_array()) {
    if (args.size() > params.size())
      throw BadArguments(info.signature() + " takes " + std::to_string(params.size()) +
                         " argument" + (params.size() == 1 ? "" : "s") + ", got " +
                         std::to_string(args.size()));
    for (std::size_t i = 0; i < args.size(); ++i) {
      values[i] = args[i];
      given[i] = true;
    }
  } else if (args.is_object()) {
    for (const auto& [key, value] : args.items()) {
      std::size_t i = 0;
      while (i < params.size() && params[i].name != key) ++i;
      if (i == params.size())
        throw BadArguments(info.signature() + " has no parameter '" + excerpt(key) + "'");
      values[i] = value;
      given[i] = true;
    }
  } else {
    throw BadArguments(info.signature() + ": args must be an array or an object");
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (given[i]) continue;
    if (!params[i].default_value)
      throw BadArguments(info.signature() + ": missing argument '" + params[i].name + "'");
    values[i] = *params[i].default_value;
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& range = params[i].range;
    // A value of the wrong type is left to the type check, which names the type expected.
    if (!range || !values[i].is_number() || range->contains(values[i].get<double>())) continue;
    throw BadArguments(info.signature() + ": argument '" + params[i].name + "' must be " +
                       range->phrase() + ", got " + json_excerpt(values[i]));
  }
  return values;
}

namespace detail {

void check_ranges(const MethodInfo& info) {
  for (const auto& param : info.params) {
    if (!param.range) continue;
    auto where = "driver method " + info.name + ", parameter '" + param.name + "': ";
    if (param.type != "integer" && param.type != "number")
      throw std::logic_error(where + "a range needs a number, not " + param.type);
    if (param.range->min > param.range->max)
      throw std::logic_error(where + "range " + param.range->phrase() + " is empty");
    const auto& fallback = param.default_value;
    if (fallback && fallback->is_number() && !param.range->contains(fallback->get<double>()))
      throw std::logic_error(where + "default " + fallback->dump() + " is not " +
                             param.range->phrase());
  }
}

void wrong_type(const MethodInfo& info, std::size_t index, const Json& value) {
  const auto& param = info.params.at(index);
  throw BadArguments(info.signature() + ": argument '" + param.name + "' must be " +
                     json_type_phrase(param.type) + ", got " + json_excerpt(value));
}

}  // namespace detail
}  // namespace roomd
