// One command-line option of a device simulator as its driver folder declares it: name, kind,
// default and one line of help. `roomd simulate` parses and documents options from these, so
// a simulator never parses its own command line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace roomd::sim {

enum class OptionKind {
  flag,      // present or not: --on
  integer,   // a whole number within [min, max]: --port 2323
  duration,  // "500ms", "10s", "5m": --idle 30s
  text,      // any text: --password P, --link /tmp/extron
  choice,    // one of `choices`: --fault no_answer
};

struct SimulatorOption {
  std::string name;  // "--port"
  OptionKind kind = OptionKind::flag;
  std::string default_value;  // as it would be written; empty: absent unless given
  std::string help;           // one line
  std::string value_name;     // the placeholder in usage text: "N", "ADDR", "PATH"
  int min = 0;                // integer bounds
  int max = 0;
  std::vector<std::string> choices;
  bool repeatable = false;  // --id 1 --id 2: every value is kept

  // Why `value` does not fit this option ("expects 0-65535, got abc"), or "" when it does.
  std::string problem(std::string_view value) const;
  // "--port N", "--on", "--fault NAME"...
  std::string synopsis() const;
};

// Options several simulators share: --fault NAME (default "none", the first name) and --on.
SimulatorOption fault_option(std::vector<std::string> names);
SimulatorOption powered_on_option();

}  // namespace roomd::sim
