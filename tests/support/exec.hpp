// Runs a module's method to completion on the test's io_context: the result, or the error
// text (empty on success). Tests assert on both.
#pragma once

#include "runtime/module.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <exception>

#include <string>
#include <utility>

namespace roomd::test {

// What an exception says; empty for none.
inline std::string error_text(std::exception_ptr error) {
  if (!error) return {};
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "an exception that is not a std::exception";
}

inline std::pair<Json, std::string> exec_and_wait(asio::io_context& io, Module& module,
                                                  const std::string& method, Json args) {
  bool done = false;
  std::pair<Json, std::string> out;
  module.exec(method, std::move(args), [&](std::exception_ptr error, Json value) {
    done = true;
    out.first = std::move(value);
    out.second = error_text(error);
  });
  REQUIRE(run_until(io, [&] { return done; }));
  return out;
}

}  // namespace roomd::test
