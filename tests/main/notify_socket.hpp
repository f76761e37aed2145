// The datagram socket systemd listens on (NOTIFY_SOCKET), bound by a test so it hears what
// roomd tells systemd: READY, STATUS, WATCHDOG, RELOADING, STOPPING.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace roomd::test {

// `name` starting with '@' is abstract.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& name);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  bool bound() const { return bound_; }
  std::string env() const { return "NOTIFY_SOCKET=" + name_; }

  // The next line (one assignment) starting with `prefix`, skipping others; "" on timeout.
  std::string next(const std::string& prefix,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
  std::vector<std::string> lines_;
};

}  // namespace roomd::test
