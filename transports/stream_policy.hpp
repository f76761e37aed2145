// The defaults a LinkCore policy (link_core.hpp) needs for a byte stream (a TCP socket, a
// serial port): read what is there, write every byte, no open timeout, and no error that the
// link can shrug off. A kind's policy derives from it and replaces what differs.
#pragma once

#include "base/asio.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include <cstddef>
#include <string>
#include <utility>

namespace roomd {

class StreamPolicy {
 public:
  static constexpr bool kEmptyWritesMatter = false;

  Duration open_timeout() const { return Duration::zero(); }
  void cancel_open() {}
  template <class Channel>
  void opened(Channel&) {}
  void lost(const error_code&) {}
  bool ignorable(const error_code&) const { return false; }
  std::string last_error() const { return {}; }

  template <class Channel, class Handler>
  void read(Channel& channel, asio::mutable_buffer buffer, Handler&& handler) {
    channel.async_read_some(buffer, std::forward<Handler>(handler));
  }
  template <class Channel, class Handler>
  void write(Channel& channel, asio::const_buffer buffer, Handler&& handler) {
    asio::async_write(channel, buffer, std::forward<Handler>(handler));
  }
};

}  // namespace roomd
