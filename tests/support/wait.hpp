// Waiting on a condition with a deadline while an io_context makes progress: tests never
// sleep for a fixed time, they run the loop until what they expect has happened.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>

namespace roomd::test {

// Runs `io` in small slices until `done()` is true or `timeout` passes; returns done().
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Polls `done()` from a thread that does not own an io_context (the loop runs elsewhere).
bool wait_until(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Waits for one byte on `fd` (a pipe from a forked child saying it is ready); false if none
// came in time.
bool wait_readable(int fd, std::chrono::milliseconds timeout);

}  // namespace roomd::test
