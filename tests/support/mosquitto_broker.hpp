// A real mosquitto broker for the upstream tests: a generated config in a temp dir, free
// loopback ports, an optional TLS listener (test CA, server and client certificates made with
// the openssl CLI) and password file; stop() and start() again on the same ports, kill() like
// a crash, freeze() like a hung broker.
#pragma once

#include "tests/support/temp_dir.hpp"

#include <string>
#include <utility>
#include <vector>

namespace roomd::test {

struct BrokerOptions {
  bool allow_anonymous = true;
  std::vector<std::pair<std::string, std::string>> users;  // (name, password) in a password file
  bool tls = false;                                        // a TLS listener besides the plain one
  bool require_client_cert = false;
  // Sessions of clients without clean_session, and their queued messages, survive stop().
  bool persistence = false;
};

// Made once per test process in a temp dir: ca_file signs the server's (CN localhost, SAN
// 127.0.0.1) and the client's certificates; other_ca_file signed nothing here.
struct TestCertificates {
  std::string ca_file, server_cert, server_key, client_cert, client_key, other_ca_file;
  static const TestCertificates& get();  // throws std::runtime_error if openssl fails
};

class MosquittoBroker {
 public:
  // Starts the broker; throws std::runtime_error (with its log) if it does not come up.
  explicit MosquittoBroker(BrokerOptions options = {});
  ~MosquittoBroker();  // kill()
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  // Starts it (again, on the same ports) and waits until every listener accepts connections.
  void start();
  // SIGTERM: a clean shutdown. Waits for the process to end.
  void stop();
  // SIGKILL: a crash.
  void kill();
  // SIGSTOP: the broker holds its connections but answers nothing until kill() or stop().
  void freeze();
  bool running() const { return pid_ > 0; }

  int port() const { return port_; }
  int tls_port() const { return tls_port_; }  // 0 without TLS
  std::string url() const;                    // mqtt://127.0.0.1:port
  std::string log() const;                    // what the broker wrote so far

 private:
  void write_config() const;
  bool launch();  // false if it exited at once (a port taken)
  void wait_exit();

  BrokerOptions options_;
  TempDir dir_;
  std::string binary_;
  int port_ = 0;
  int tls_port_ = 0;
  int pid_ = -1;
};

// The path of `name` on PATH, or in /usr/sbin and /usr/bin; empty if none.
std::string find_program(const std::string& name);

}  // namespace roomd::test
