#include "uplink/core/prometheus_text.hpp"

#include <cstdio>

namespace roomd {

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

void PrometheusText::counter(std::string_view name, std::string_view help, std::uint64_t value) {
  family(name, "counter", help);
  sample(name, {}, value);
}

void PrometheusText::gauge(std::string_view name, std::string_view help, double value) {
  family(name, "gauge", help);
  sample(name, {}, value);
}

void PrometheusText::gauge(std::string_view name, std::string_view help, std::uint64_t value) {
  family(name, "gauge", help);
  sample(name, {}, value);
}

void PrometheusText::sample(std::string_view name, std::string_view labels, double value) {
  out_ << name;
  if (!labels.empty()) out_ << '{' << labels << '}';
  out_ << ' ' << number(value) << '\n';
}

void PrometheusText::sample(std::string_view name, std::string_view labels, std::uint64_t value) {
  out_ << name;
  if (!labels.empty()) out_ << '{' << labels << '}';
  out_ << ' ' << value << '\n';
}

std::string PrometheusText::label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string PrometheusText::number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

}  // namespace roomd
