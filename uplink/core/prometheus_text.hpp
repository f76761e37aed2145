// Prometheus text exposition (format 0.0.4) for every part of roomd that reports metrics:
// the API's own, the runtime's gauges and the upstream's; one writer, so the family headers,
// number format and label escaping are the same everywhere.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

namespace roomd {

class PrometheusText {
 public:
  // The "# HELP" and "# TYPE" lines of a family whose samples follow.
  void family(std::string_view name, std::string_view type, std::string_view help);
  // A family of one unlabelled sample.
  void counter(std::string_view name, std::string_view help, std::uint64_t value);
  void gauge(std::string_view name, std::string_view help, double value);
  void gauge(std::string_view name, std::string_view help, std::uint64_t value);
  // One sample; `labels` is already `key="value",…` (see label), or empty.
  void sample(std::string_view name, std::string_view labels, double value);
  void sample(std::string_view name, std::string_view labels, std::uint64_t value);

  std::string str() const { return out_.str(); }

  // A label value escaped as the format wants (backslash, quote, newline).
  static std::string label(std::string_view value);
  // Integers as integers, anything else with up to 9 significant digits.
  static std::string number(double value);

 private:
  std::ostringstream out_;
};

}  // namespace roomd
