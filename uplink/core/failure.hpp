// What a request that could not be served tells its client: one of the protocol's 0-7 codes
// and a message for people. The request core makes them; each front-end only encodes them.
#pragma once

#include "runtime/sdk/errors.hpp"

#include <exception>
#include <string>
#include <variant>

namespace roomd {

struct Failure {
  ErrorCode code = ErrorCode::unexpected;
  std::string message;
};

// A value, or why there is none.
template <class T>
using Result = std::variant<T, Failure>;

// The code and message of whatever a method call threw: RoomdError keeps its code, any other
// exception is a failed request (3), anything else unexpected (7).
Failure failure_of(std::exception_ptr error);

// The code's meaning as protocol.md names it: "request failed", "module not found"…
const char* meaning_of(ErrorCode code);
// The status a dialect that answers in HTTP terms (Exosite, DAS) gives a failure: 400 for a
// bad request, 403 denied, 404 no such system or module, 500 for the rest.
int http_status_of(const Failure& failure);

}  // namespace roomd
