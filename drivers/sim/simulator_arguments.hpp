// The options of one `roomd simulate` run, already checked against what the simulator
// declares, with the declared defaults filled in: a simulator reads typed values from here.
#pragma once

#include "base/asio.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace roomd::sim {

class SimulatorArguments {
 public:
  void add(const std::string& name, std::string value);  // "--port", "2323"; flags "true"
  bool has(std::string_view name) const;
  bool flag(std::string_view name) const { return has(name); }
  // The last value given (or the default); "" when absent.
  std::string text(std::string_view name) const;
  // Every value of a repeatable option, in order.
  std::vector<std::string> texts(std::string_view name) const;
  // The value as a number or a duration; 0 when absent. The parser checked it, so it parses.
  int integer(std::string_view name) const;
  Duration duration(std::string_view name) const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

}  // namespace roomd::sim
