// Two pseudo-terminals joined back to back by a relay thread, like `socat pty pty`: a client and
// a server that both insist on opening a serial port by path (libmodbus RTU on either side) can
// talk through them as through a null-modem cable.
#pragma once

#include <string>
#include <thread>

namespace roomd::modbus {

class PtyBridge {
 public:
  // Creates both pseudo-terminals (raw mode) and starts relaying; throws std::system_error.
  PtyBridge();
  ~PtyBridge();  // stops
  PtyBridge(const PtyBridge&) = delete;
  PtyBridge& operator=(const PtyBridge&) = delete;

  const std::string& client_path() const { return client_path_; }
  const std::string& server_path() const { return server_path_; }
  // Joins the relay and closes every descriptor; idempotent. The paths vanish with it.
  void stop();

 private:
  void relay();
  void close_all();

  int client_master_ = -1;
  int server_master_ = -1;
  // The bridge keeps each slave side open itself so that a peer closing its end never hangs up
  // the master (reads would fail with EIO until someone reopens it) and the path stays valid.
  int client_slave_ = -1;
  int server_slave_ = -1;
  int wake_fd_ = -1;  // eventfd: written once to stop the relay
  std::string client_path_;
  std::string server_path_;
  std::thread thread_;
};

}  // namespace roomd::modbus
