// The errors a method call can end with. Their codes are the 0-7 codes of the client
// protocol, so the API layer maps an exception to an answer without knowing drivers.
#pragma once

#include <stdexcept>
#include <string>

namespace roomd {

enum class ErrorCode {
  parse_error = 0,
  bad_request = 1,
  access_denied = 2,
  request_failed = 3,
  unknown_command = 4,
  system_not_found = 5,
  module_not_found = 6,
  unexpected = 7,
};

class RoomdError : public std::runtime_error {
 public:
  RoomdError(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// Unknown method, or arguments that do not fit its parameters.
class BadArguments : public RoomdError {
 public:
  explicit BadArguments(const std::string& message) : RoomdError(ErrorCode::bad_request, message) {}
};

// The device answered with an error, did not answer, or the module is offline or stopped.
class RequestFailed : public RoomdError {
 public:
  explicit RequestFailed(const std::string& message)
      : RoomdError(ErrorCode::request_failed, message) {}
};

}  // namespace roomd
