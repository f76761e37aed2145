#include "main/cli.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace roomd::cli {
namespace {

bool matches(const std::string& arg, std::string_view name) {
  return arg == name ||
         (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=');
}

}  // namespace

std::optional<std::string> Args::value(std::string_view name) const {
  for (std::size_t i = 0; i < args_.size(); ++i) {
    if (!matches(args_[i], name)) continue;
    if (args_[i].size() > name.size()) return args_[i].substr(name.size() + 1);
    if (i + 1 < args_.size()) return args_[i + 1];
    return std::nullopt;
  }
  return std::nullopt;
}

std::vector<std::string> Args::values(std::string_view name) const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args_.size(); ++i) {
    if (!matches(args_[i], name)) continue;
    if (args_[i].size() > name.size()) {
      out.push_back(args_[i].substr(name.size() + 1));
    } else if (i + 1 < args_.size()) {
      out.push_back(args_[++i]);
    }
  }
  return out;
}

std::optional<int> parse_int(std::string_view text, int min, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    return std::nullopt;
  return value;
}

std::optional<int> Args::integer(std::string_view name, int min, int max) const {
  auto text = value(name);
  if (!text) return std::nullopt;
  auto parsed = parse_int(*text, min, max);
  if (!parsed)
    throw std::invalid_argument(std::string(name) + " expects " + std::to_string(min) + "-" +
                                std::to_string(max) + ", got " + *text);
  return parsed;
}

bool Args::flag(std::string_view name) const {
  return std::any_of(args_.begin(), args_.end(), [&](const auto& a) { return a == name; });
}

std::vector<std::string> Args::positional(const std::vector<std::string>& valued) const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args_.size(); ++i) {
    const auto& arg = args_[i];
    if (arg.starts_with("--")) {
      bool takes_value = std::find(valued.begin(), valued.end(), arg) != valued.end();
      if (takes_value) ++i;
      continue;
    }
    out.push_back(arg);
  }
  return out;
}

std::vector<std::string> Args::unknown(const std::vector<std::string>& known) const {
  std::vector<std::string> out;
  for (const auto& arg : args_) {
    if (!arg.starts_with("--")) continue;
    bool ok = std::any_of(known.begin(), known.end(),
                          [&](const auto& name) { return matches(arg, name); });
    if (!ok) out.push_back(arg);
  }
  return out;
}

void print_usage() {
  std::printf(
      "usage: roomd <command> [options]\n"
      "\n"
      "commands:\n"
      "  run --config FILE [--state-dir DIR]   run the box from a config file\n"
      "  check-config FILE                     validate a config; exit 2 and list every problem\n"
      "  drivers [--json]                      list drivers: methods, status, settings, transport\n"
      "  ports                                 list serial ports: path, by-id, USB VID:PID, "
      "serial\n"
      "  simulate SIMULATOR [options]          run a device simulator (which ones, and their\n"
      "                                        options: roomd simulate --help)\n"
      "  --version                             print the version\n"
      "  --help                                this text\n");
}

}  // namespace roomd::cli
