#include "runtime/alert_rules.hpp"

#include "runtime/alert_rule_checks.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>

namespace roomd {

bool alert_condition_holds(const Json& value, const std::string& op, const Json& operand) {
  if (value.is_number() && operand.is_number()) {
    const double a = value.get<double>();
    const double b = operand.get<double>();
    if (op == ">") return a > b;
    if (op == ">=") return a >= b;
    if (op == "<") return a < b;
    if (op == "<=") return a <= b;
    if (op == "==") return a == b;
    if (op == "!=") return a != b;
    return false;
  }
  const bool comparable =
      (value.is_string() && operand.is_string()) || (value.is_boolean() && operand.is_boolean());
  if (!comparable) return false;
  if (op == "==") return value == operand;
  if (op == "!=") return value != operand;
  return false;
}

// One rule; its state lives on a strand of its own, the timer with it.
struct AlertRules::Rule : std::enable_shared_from_this<Rule> {
  Rule(asio::io_context& io, AlertBook& book, AlertRuleConfig config, Alert alert)
      : strand(asio::make_strand(io)),
        timer(strand),
        book(book),
        config(std::move(config)),
        alert(std::move(alert)) {}

  // From the setter's thread: evaluated on the strand, in the order of the changes.
  void changed(const Json& value) {
    asio::post(strand, [weak = weak_from_this(), value] {
      if (auto self = weak.lock()) self->evaluate(value);
    });
  }

  void evaluate(const Json& value) {
    if (retired) return;
    const bool now = alert_condition_holds(value, config.op, config.value);
    if (now == holding) return;
    holding = now;
    if (!now) {
      timer.cancel();
      book.clear(alert.id);
      return;
    }
    if (config.hold.count() == 0) {
      book.raise(alert);
      return;
    }
    timer.expires_after(config.hold);
    timer.async_wait([weak = weak_from_this()](const error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || !self->holding || self->retired) return;
      self->book.raise(self->alert);
    });
  }

  Executor strand;
  asio::steady_timer timer;
  AlertBook& book;
  AlertRuleConfig config;
  Alert alert;
  bool holding = false;
  std::atomic<bool> retired = false;  // its rules were replaced: raise nothing more
};

AlertRules::AlertRules(asio::io_context& io, AlertBook& book, StateStore& state,
                       const Config& config) {
  for (std::size_t i = 0; i < config.alerts.size(); ++i) {
    const auto& rule_config = config.alerts[i];
    const auto* module = rule_module(config, rule_config);
    if (!module) continue;  // check_modules reported it
    Alert alert;
    alert.id = alert_id(i);
    alert.title = rule_config.title;
    alert.severity = parse_alert_severity(rule_config.severity).value_or(AlertSeverity::medium);
    alert.module = module->id;
    alert.sys = rule_config.sys;
    auto rule = std::make_shared<Rule>(io, book, rule_config, std::move(alert));
    std::weak_ptr<Rule> weak = rule;
    subscriptions_.push_back(
        state.subscribe(module->id, rule_config.variable,
                        [weak](std::string_view, std::string_view, const Json& value) {
                          if (auto alive = weak.lock()) alive->changed(value);
                        }));
    if (auto current = state.get(module->id, rule_config.variable)) rule->changed(*current);
    rules_.push_back(std::move(rule));
  }
}

AlertRules::~AlertRules() {
  subscriptions_.clear();
  for (auto& rule : rules_) {
    rule->retired = true;
    rule->book.clear(rule->alert.id);
    // The timer belongs to the strand: cancelled there, where it might be running.
    asio::post(rule->strand, [rule] { rule->timer.cancel(); });
  }
}

std::string AlertRules::alert_id(std::size_t index) {
  return "rule/" + std::to_string(index);
}

}  // namespace roomd
