// The config validation toolkit's cursor: where in the JSON document a check is (the path a
// problem is reported at, "modules[2].transport.tcp.port") and the list every problem goes to,
// so a check deep in the tree reports in one line and needs no return channel for it.
#pragma once

#include "config/config.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace roomd::validation {

enum Need { kOptional, kRequired };

class Validator {
 public:
  Validator(std::vector<ConfigError>& errors, std::string path)
      : errors_(&errors), path_(std::move(path)) {}

  Validator key(std::string_view name) const {
    return {*errors_, path_.empty() ? std::string(name) : path_ + "." + std::string(name)};
  }
  Validator index(std::size_t i) const { return {*errors_, path_ + "[" + std::to_string(i) + "]"}; }
  const std::string& path() const { return path_; }
  void error(std::string message) const { errors_->push_back({path_, std::move(message)}); }
  std::size_t error_count() const { return errors_->size(); }

 private:
  std::vector<ConfigError>* errors_;
  std::string path_;
};

}  // namespace roomd::validation
