#include "tests/main/notify_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <sstream>

namespace roomd::test {

NotifySocket::NotifySocket(const std::string& name) : name_(name) {
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, name.data(), name.size());
  if (name[0] == '@') addr.sun_path[0] = '\0';
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  bound_ = bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
}

NotifySocket::~NotifySocket() {
  close(fd_);
}

std::string NotifySocket::next(const std::string& prefix, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    while (!lines_.empty()) {
      auto line = lines_.front();
      lines_.erase(lines_.begin());
      if (line.rfind(prefix, 0) == 0) return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd ready{.fd = fd_, .events = POLLIN, .revents = 0};
    if (left.count() <= 0 || poll(&ready, 1, static_cast<int>(left.count())) != 1) return "";
    char datagram[4096];
    const auto n = recv(fd_, datagram, sizeof datagram, 0);
    if (n <= 0) return "";
    std::istringstream in(std::string(datagram, static_cast<std::size_t>(n)));
    for (std::string line; std::getline(in, line);) lines_.push_back(line);
  }
}

}  // namespace roomd::test
