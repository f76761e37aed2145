#include "uplink/core/failure.hpp"

namespace roomd {

Failure failure_of(std::exception_ptr error) {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const RoomdError& e) {
    return {e.code(), e.what()};
  } catch (const std::exception& e) {
    return {ErrorCode::request_failed, e.what()};
  } catch (...) {
  }
  return {ErrorCode::unexpected, "unknown failure"};
}

const char* meaning_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::parse_error:
      return "parse error";
    case ErrorCode::bad_request:
      return "bad request";
    case ErrorCode::access_denied:
      return "access denied";
    case ErrorCode::request_failed:
      return "request failed";
    case ErrorCode::unknown_command:
      return "unknown command";
    case ErrorCode::system_not_found:
      return "system not found";
    case ErrorCode::module_not_found:
      return "module not found";
    case ErrorCode::unexpected:
      return "unexpected failure";
  }
  return "unexpected failure";
}

int http_status_of(const Failure& failure) {
  switch (failure.code) {
    case ErrorCode::parse_error:
    case ErrorCode::bad_request:
      return 400;
    case ErrorCode::access_denied:
      return 403;
    case ErrorCode::system_not_found:
    case ErrorCode::module_not_found:
      return 404;
    default:
      return 500;
  }
}

}  // namespace roomd
