#include "tests/main/roomd_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <regex>

namespace roomd::test {
namespace {

using Clock = std::chrono::steady_clock;

// Waits for `fd` to be readable until `deadline`; reads what is there. False on timeout/EOF.
bool read_some(int fd, Clock::time_point deadline, std::string& into) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buffer[512];
  auto n = read(fd, buffer, sizeof buffer);
  if (n <= 0) return false;
  into.append(buffer, static_cast<std::size_t>(n));
  return true;
}

}  // namespace

RoomdProcess::RoomdProcess(const std::vector<std::string>& args,
                           const std::vector<std::string>& env) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    for (const auto& variable : env) putenv(const_cast<char*>(variable.c_str()));
    std::vector<char*> argv{const_cast<char*>(ROOMD_BINARY)};
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(ROOMD_BINARY, argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  out_ = pipe_fds[0];
  reader_ = std::thread([this] { read_output(); });
}

RoomdProcess::~RoomdProcess() {
  stop();
  // The child is gone, so the pipe ends and the reader with it.
  if (reader_.joinable()) reader_.join();
  if (out_ >= 0) close(out_);
}

void RoomdProcess::read_output() {
  char buffer[4096];
  for (;;) {
    const auto n = read(out_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard lock(mutex_);
    if (n <= 0) {
      ended_ = true;
      grown_.notify_all();
      return;
    }
    output_.append(buffer, static_cast<std::size_t>(n));
    grown_.notify_all();
  }
}

template <class Done>
bool RoomdProcess::wait_output(std::chrono::milliseconds timeout, Done done) {
  std::unique_lock lock(mutex_);
  return grown_.wait_for(lock, timeout, [&] { return done(output_) || ended_; }) && done(output_);
}

std::string RoomdProcess::first_line(std::chrono::milliseconds timeout) {
  wait_output(timeout, [](const std::string& out) { return out.find('\n') != std::string::npos; });
  std::lock_guard lock(mutex_);
  return output_.substr(0, output_.find('\n'));
}

int RoomdProcess::port() {
  std::smatch match;
  const auto line = first_line();
  if (!std::regex_search(line, match, std::regex("127\\.0\\.0\\.1:([0-9]+)"))) return 0;
  return std::stoi(match[1]);
}

std::string RoomdProcess::wait_for(std::string_view text, std::chrono::milliseconds timeout) {
  const bool found = wait_output(timeout, [&](const std::string& out) {
    const auto at = out.find(text);
    return at != std::string::npos && out.find('\n', at) != std::string::npos;
  });
  std::lock_guard lock(mutex_);
  return found ? output_ : std::string();
}

void RoomdProcess::kill_hard() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int RoomdProcess::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool exchange_fd(int fd, std::string_view request, std::string_view expected, std::string& got,
                 std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  if (!request.empty() &&
      write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
    return false;
  while (got.find(expected) == std::string::npos)
    if (!read_some(fd, deadline, got)) return false;
  return true;
}

int connect_loopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
  close(fd);
  return -1;
}

bool exchange(int port, std::string_view request, std::string_view expected, std::string& got,
              std::chrono::milliseconds timeout) {
  const int fd = connect_loopback(port);
  if (fd < 0) return false;
  const bool ok = exchange_fd(fd, request, expected, got, timeout);
  close(fd);
  return ok;
}

}  // namespace roomd::test
