#include "runtime/sdk/driver_info.hpp"

#include <cmath>
#include <cstdint>

namespace roomd {

namespace {

// A bound as the driver wrote it: 100 rather than 100.0, so integer fields stay integers.
Json bound_json(double value) {
  constexpr double kWholeLimit = 9007199254740992.0;  // 2^53: doubles stay exact below it
  if (std::floor(value) == value && std::fabs(value) < kWholeLimit)
    return static_cast<std::int64_t>(value);
  return value;
}

}  // namespace

Json Range::to_json() const {
  return Json::array({bound_json(min), bound_json(max)});
}

std::string Range::phrase() const {
  return "from " + bound_json(min).dump() + " to " + bound_json(max).dump();
}

std::string MethodInfo::signature() const {
  std::string out = name + "(";
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i) out += ", ";
    out += params[i].name + ": " + params[i].type;
    if (params[i].default_value) out += " = " + params[i].default_value->dump();
  }
  return out + ")";
}

namespace {

Json tokenizer_json(const TokenizerSpec& spec) {
  return std::visit(
      [](const auto& s) -> Json {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, DelimiterSpec>) {
          return {{"delimiter", s.delimiters}};
        } else if constexpr (std::is_same_v<S, FixedLengthSpec>) {
          return {{"fixed_length", s.length}};
        } else if constexpr (std::is_same_v<S, LengthHeaderSpec>) {
          return {{"length_header",
                   {{"offset", s.length_offset}, {"size", s.length_size}, {"adjust", s.adjust}}}};
        } else {
          return nullptr;
        }
      },
      spec);
}

}  // namespace

Json to_json(const DriverInfo& info) {
  Json methods = Json::array();
  for (const auto& m : info.methods) {
    Json params = Json::array();
    for (const auto& p : m.params) {
      Json param = {{"name", p.name}, {"type", p.type}};
      if (p.default_value) param["default"] = *p.default_value;
      if (p.range) param["range"] = p.range->to_json();
      params.push_back(std::move(param));
    }
    Json method = {{"name", m.name}, {"params", std::move(params)}, {"returns", m.returns}};
    if (!m.sets.empty()) method["sets"] = m.sets;
    if (m.privileged) method["privileged"] = true;
    if (!m.description.empty()) method["description"] = m.description;
    methods.push_back(std::move(method));
  }
  Json settings = Json::array();
  for (const auto& s : info.settings) {
    Json setting = {{"name", s.name}, {"type", s.type}, {"description", s.description}};
    if (!s.secret) setting["default"] = s.default_value;
    if (s.secret) setting["secret"] = true;
    settings.push_back(std::move(setting));
  }
  Json status = Json::array();
  for (const auto& s : info.status)
    status.push_back({{"name", s.name}, {"type", s.type}, {"description", s.description}});
  Json transport = {{"kind", to_string(info.transport)}};
  if (info.default_port) transport["port"] = info.default_port;
  return {{"name", info.name},
          {"description", info.description},
          {"generic_name", info.generic_name},
          {"transport", std::move(transport)},
          {"tokenizer", tokenizer_json(info.tokenizer)},
          {"settings", std::move(settings)},
          {"status", std::move(status)},
          {"methods", std::move(methods)}};
}

}  // namespace roomd
