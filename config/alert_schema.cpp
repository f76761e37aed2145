#include "config/alert_schema.hpp"

#include "base/json_parse.hpp"

#include <array>
#include <charconv>

namespace roomd {

namespace {

using namespace validation;

constexpr std::array<std::string_view, 4> kSeverities = {"low", "medium", "high", "critical"};
constexpr std::array<std::string_view, 6> kOperators = {">=", "<=", "==", "!=", ">", "<"};
constexpr std::string_view kForm = "<system>/<Module>_<index>/<variable> <operator> <value>";

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// "Sensor_2" -> ("Sensor", 2); no numeric suffix is index 1, as clients address modules.
void split_module(std::string_view text, AlertRuleConfig& out) {
  out.module = std::string(text);
  out.index = 1;
  const auto underscore = text.rfind('_');
  if (underscore == std::string_view::npos || underscore + 1 >= text.size()) return;
  int index = 0;
  const auto* begin = text.data() + underscore + 1;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, index);
  if (ec != std::errc() || ptr != end || index < 1) return;
  out.module = std::string(text.substr(0, underscore));
  out.index = index;
}

AlertRuleConfig parse_rule(ObjectReader r) {
  AlertRuleConfig rule;
  rule.json_path = r.path();
  if (r.string("when", rule.when, kRequired)) {
    auto problem = parse_alert_condition(rule.when, rule);
    if (!problem.empty()) r.at("when").error(problem);
  }
  r.duration("for", rule.hold);
  r.choice("severity", rule.severity, kSeverities, kOptional);
  rule.title = rule.when;
  r.string("title", rule.title);
  r.reject_unknown_keys();
  return rule;
}

AlertOptionsConfig parse_options(ObjectReader r) {
  AlertOptionsConfig options;
  r.read("offline_after", options.offline_after, kOptional, as_positive_duration);
  r.read("log_quiet", options.log_quiet, kOptional, as_positive_duration);
  r.reject_unknown_keys();
  return options;
}

}  // namespace

std::string parse_alert_condition(std::string_view when, AlertRuleConfig& out) {
  const auto op_at = when.find_first_of("<>=!");
  if (op_at == std::string_view::npos)
    return "expected " + std::string(kForm) + " (operators > >= < <= == !=), got " +
           json_quote(when);
  const auto variable = trim(when.substr(0, op_at));
  const auto op_end = when.find_first_not_of("<>=!", op_at);
  const auto op =
      when.substr(op_at, op_end == std::string_view::npos ? when.size() - op_at : op_end - op_at);
  bool known = false;
  for (auto candidate : kOperators) known = known || op == candidate;
  if (!known)
    return "unknown operator " + json_quote(op) + " in " + json_quote(when) +
           "; use one of > >= < <= == !=";
  out.op = std::string(op);

  // sys/Module_index/variable: the system id may itself contain no slash.
  const auto first = variable.find('/');
  const auto second = first == std::string_view::npos ? first : variable.find('/', first + 1);
  if (second == std::string_view::npos ||
      variable.find('/', second + 1) != std::string_view::npos || first == 0 ||
      second == first + 1 || second + 1 == variable.size() ||
      variable.find_first_of(" \t") != std::string_view::npos)
    return "expected " + std::string(kForm) + ", got variable " + json_quote(variable);
  out.sys = std::string(variable.substr(0, first));
  split_module(variable.substr(first + 1, second - first - 1), out);
  out.variable = std::string(variable.substr(second + 1));

  const auto value =
      trim(op_end == std::string_view::npos ? std::string_view{} : when.substr(op_end));
  if (value.empty()) return "missing value after " + json_quote(op) + " in " + json_quote(when);
  auto parsed = parse_json(value);
  if (parsed && !parsed.value.is_structured()) {
    out.value = std::move(parsed.value);
  } else if (!parsed && value.find_first_of(" \t\"[]{}") == std::string_view::npos) {
    out.value = std::string(value);  // a bare word: hdmi1, on
  } else {
    return "bad value " + json_quote(value) +
           ": expected a number, true, false, a quoted string or a bare word";
  }
  if (op != "==" && op != "!=" && !out.value.is_number())
    return "bad value " + json_quote(value) + ": " + std::string(op) + " compares numbers";
  return {};
}

void parse_alerts(ObjectReader& root, Config& config) {
  root.for_each("alerts", kOptional, [&](const Json& value, const Validator& v) {
    config.alerts.push_back(parse_rule(ObjectReader(value, v)));
  });
  config.alert_options = parse_options(root.child("alert_options"));
}

}  // namespace roomd
