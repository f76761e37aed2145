// A `roomd` child process for command-line tests that need it running (simulators): its
// first line of output under a deadline, the bytes a peer answers, SIGTERM on destruction.
// Its output is read all the time, so a chatty roomd never blocks on a full pipe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace roomd::test {

class RoomdProcess {
 public:
  // Starts `roomd args...` with stdout and stderr on one pipe, and `env` ("NAME=value") added
  // to the environment.
  explicit RoomdProcess(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {});
  ~RoomdProcess();  // SIGTERM, then waits for it
  RoomdProcess(const RoomdProcess&) = delete;
  RoomdProcess& operator=(const RoomdProcess&) = delete;

  // The first line it prints (without the newline); "" if none within `timeout`.
  std::string first_line(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The TCP port in "127.0.0.1:PORT" of the first line; 0 if absent.
  int port();
  // Everything printed so far once a line holding `text` arrived; "" if none within `timeout`.
  std::string wait_for(std::string_view text,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGTERM and the exit status (-1 if it did not exit normally).
  int stop();
  // SIGKILL: no chance to flush or close anything.
  void kill_hard();
  int pid() const { return pid_; }

 private:
  void read_output();
  // Waits until `done(output)` holds, the output ended or `timeout` passed; done's last answer.
  template <class Done>
  bool wait_output(std::chrono::milliseconds timeout, Done done);

  int pid_ = -1;
  int out_ = -1;
  std::mutex mutex_;
  std::condition_variable grown_;
  std::string output_;
  bool ended_ = false;
  std::thread reader_;
};

// A TCP connection to 127.0.0.1:port; -1 if refused.
int connect_loopback(int port);
// Connects to 127.0.0.1:port, sends `request` and reads until `expected` arrived (returns
// true) or `timeout` passed (returns false); `got` holds every byte read.
bool exchange(int port, std::string_view request, std::string_view expected, std::string& got,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));
// The same over an open file descriptor (a pty).
bool exchange_fd(int fd, std::string_view request, std::string_view expected, std::string& got,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace roomd::test
