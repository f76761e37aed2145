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

}  // namespace roomd
