// The threshold rules of the config's `alerts`: each watches one status variable in the
// state store and raises `rule/<index>` once its condition has held for the rule's `for`,
// clearing it when the condition ends. A value of the wrong type makes the condition false.
#pragma once

#include "base/asio.hpp"
#include "config/config.hpp"
#include "runtime/alert_book.hpp"
#include "runtime/state_store.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <vector>

namespace roomd {

// Whether `value <op> operand` holds: numbers numerically, == and != also on strings and
// booleans of the same type; anything else (null, a string against a number) is false.
bool alert_condition_holds(const Json& value, const std::string& op, const Json& operand);

class AlertRules {
 public:
  // The rules of `config`, which passed check_modules. Values already in the store count.
  AlertRules(asio::io_context& io, AlertBook& book, StateStore& state, const Config& config);
  // Clears the alerts its rules raised: the next rules start from what the store says.
  ~AlertRules();
  AlertRules(const AlertRules&) = delete;
  AlertRules& operator=(const AlertRules&) = delete;

  static std::string alert_id(std::size_t index);

 private:
  struct Rule;
  std::vector<std::shared_ptr<Rule>> rules_;
  std::vector<Subscription> subscriptions_;
};

}  // namespace roomd
