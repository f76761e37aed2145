#include "drivers/modbus_sensor/register_map.hpp"

#include "base/units.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace roomd::modbus {
namespace {

constexpr std::size_t kMaxRegisters = 125;
constexpr std::size_t kMaxBits = 2000;

class Reader {
 public:
  Reader(const Json& entry, std::string path, std::vector<SettingsProblem>& problems)
      : entry_(entry), path_(std::move(path)), problems_(problems) {}

  void problem(const std::string& key, const std::string& message) {
    problems_.push_back({path_ + (key.empty() ? "" : "." + key), message});
  }
  const Json* field(const std::string& key) {
    auto it = entry_.find(key);
    return it == entry_.end() ? nullptr : &*it;
  }
  template <class Parse>
  void text(const std::string& key, bool required, const char* expectation, Parse parse) {
    const auto* value = field(key);
    if (!value) {
      if (required) problem(key, "required");
      return;
    }
    if (!value->is_string() || !parse(value->get<std::string>()))
      problem(key, std::string("expected ") + expectation + ", got " + to_text(*value));
  }
  void number(const std::string& key, double& out) {
    const auto* value = field(key);
    if (!value) return;
    if (!value->is_number()) {
      problem(key, "expected a number, got " + to_text(*value));
      return;
    }
    out = value->get<double>();
  }

 private:
  const Json& entry_;
  std::string path_;
  std::vector<SettingsProblem>& problems_;
};

RegisterSpec parse_entry(const Json& entry, const std::string& path,
                         std::vector<SettingsProblem>& problems) {
  RegisterSpec spec;
  Reader r(entry, path, problems);
  static const std::set<std::string> kKeys = {"name",  "table",  "address", "type",  "order",
                                              "scale", "offset", "unit",    "every", "deadband"};
  for (const auto& [key, value] : entry.items())
    if (!kKeys.count(key)) r.problem(key, "unknown key");
  r.text("name", true, "a non-empty string", [&](const std::string& s) {
    spec.name = s;
    return !s.empty();
  });
  r.text("table", true, "one of coil, discrete_input, input, holding", [&](const std::string& s) {
    auto t = parse_table(s);
    if (t) spec.table = *t;
    return t.has_value();
  });
  if (const auto* address = r.field("address")) {
    if (!address->is_number_integer() || address->get<long long>() < 0 ||
        address->get<long long>() > 65535)
      r.problem("address", "expected 0-65535, got " + to_text(*address));
    else
      spec.address = static_cast<std::uint16_t>(address->get<int>());
  } else {
    r.problem("address", "required");
  }
  r.text("type", false, "one of u16, s16, u32, s32, f32", [&](const std::string& s) {
    auto t = parse_register_type(s);
    if (t) spec.type = *t;
    return t.has_value();
  });
  r.text("order", false, "high_first or low_first", [&](const std::string& s) {
    if (s == "high_first") spec.order = WordOrder::high_first;
    if (s == "low_first") spec.order = WordOrder::low_first;
    return s == "high_first" || s == "low_first";
  });
  r.number("scale", spec.scale);
  r.number("offset", spec.offset);
  r.number("deadband", spec.deadband);
  if (spec.deadband < 0) r.problem("deadband", "must not be negative");
  r.text("unit", false, "a string", [&](const std::string& s) {
    spec.unit = s;
    return true;
  });
  r.text("every", false, "a duration such as \"500ms\" or \"10s\"", [&](const std::string& s) {
    auto d = parse_duration(s);
    if (d) spec.every = *d;
    return d && *d >= Duration(10);
  });
  if (is_bit_table(spec.table) && spec.type != RegisterType::u16 && r.field("type"))
    r.problem("type", "coils and discrete inputs are single bits; leave type out");
  return spec;
}

}  // namespace

std::vector<RegisterSpec> parse_register_map(const Json& registers,
                                             std::vector<SettingsProblem>& problems) {
  std::vector<RegisterSpec> out;
  if (!registers.is_array()) {
    problems.push_back({"registers", "expected an array of registers"});
    return out;
  }
  std::map<std::string, std::size_t> names;
  for (std::size_t i = 0; i < registers.size(); ++i) {
    auto path = "registers[" + std::to_string(i) + "]";
    if (!registers[i].is_object()) {
      problems.push_back({path, "expected an object, got " + to_text(registers[i])});
      continue;
    }
    auto spec = parse_entry(registers[i], path, problems);
    if (!spec.name.empty()) {
      auto [it, fresh] = names.emplace(spec.name, i);
      if (!fresh)
        problems.push_back({path + ".name", "duplicate register name \"" + spec.name +
                                                "\" (first at registers[" +
                                                std::to_string(it->second) + "])"});
    }
    out.push_back(std::move(spec));
  }
  return out;
}

std::vector<PollGroup> plan_polls(const std::vector<RegisterSpec>& registers) {
  std::vector<const RegisterSpec*> sorted;
  for (const auto& r : registers) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return std::tie(a->table, a->every, a->address) < std::tie(b->table, b->every, b->address);
  });
  std::vector<PollGroup> groups;
  for (const auto* r : sorted) {
    auto width = static_cast<std::uint16_t>(is_bit_table(r->table) ? 1 : register_count(r->type));
    auto limit = is_bit_table(r->table) ? kMaxBits : kMaxRegisters;
    if (!groups.empty()) {
      auto& g = groups.back();
      bool same_kind = g.table == r->table && g.every == r->every;
      auto end = static_cast<std::size_t>(g.address) + g.count;
      // Overlapping entries (two views of one register) join too.
      if (same_kind && r->address <= end && r->address >= g.address) {
        auto new_end = std::max(end, static_cast<std::size_t>(r->address) + width);
        if (new_end - g.address <= limit) {
          g.count = static_cast<std::uint16_t>(new_end - g.address);
          g.members.push_back(r);
          continue;
        }
      }
    }
    groups.push_back({r->table, r->address, width, r->every, {r}});
  }
  return groups;
}

}  // namespace roomd::modbus
