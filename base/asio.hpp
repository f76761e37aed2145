// Short names for Boost.Asio so the rest of roomd reads the same everywhere.
// Only the awaitable/executor pieces are pulled in here; sockets and timers are
// included by the files that use them.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>

namespace roomd {

namespace asio = boost::asio;
using boost::system::error_code;

template <class T = void>
using Task = asio::awaitable<T>;

using Executor = asio::any_io_executor;
using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;

}  // namespace roomd
