#include "tests/support/mosquitto_broker.hpp"

#include "tests/support/free_port.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace roomd::test {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartDeadline = std::chrono::seconds(10);
constexpr auto kPoll = std::chrono::milliseconds(10);
constexpr int kPortAttempts = 5;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

void run_or_throw(const std::string& command, const std::string& log) {
  if (std::system((command + " >>" + log + " 2>&1").c_str()) != 0)
    throw std::runtime_error("test setup failed: " + command + "\n" + read_file(log));
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

std::string find_program(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/usr/bin";
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const auto candidate = std::filesystem::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

const TestCertificates& TestCertificates::get() {
  static TempDir dir;
  static const TestCertificates certificates = [] {
    const std::string d = dir.path();
    const std::string log = d + "/openssl.log";
    const std::string openssl = find_program("openssl");
    if (openssl.empty()) throw std::runtime_error("openssl not found (scripts/install-deps)");
    const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    auto ca = [&](const std::string& name) {
      run_or_throw(openssl + " req -x509" + key + " -keyout " + d + "/" + name + ".key -out " + d +
                       "/" + name + ".crt -days 2 -subj /CN=roomd-" + name,
                   log);
    };
    auto signed_by_ca = [&](const std::string& name, const std::string& cn,
                            const std::string& extensions) {
      write_file(d + "/" + name + ".ext", extensions);
      run_or_throw(openssl + " req" + key + " -keyout " + d + "/" + name + ".key -out " + d + "/" +
                       name + ".csr -subj /CN=" + cn,
                   log);
      run_or_throw(openssl + " x509 -req -in " + d + "/" + name + ".csr -CA " + d +
                       "/ca.crt -CAkey " + d + "/ca.key -CAcreateserial -days 2 -out " + d + "/" +
                       name + ".crt -extfile " + d + "/" + name + ".ext",
                   log);
    };
    ca("ca");
    ca("other-ca");
    signed_by_ca("server", "localhost",
                 "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
    signed_by_ca("client", "roomd-test-client", "extendedKeyUsage=clientAuth\n");
    return TestCertificates{d + "/ca.crt",     d + "/server.crt", d + "/server.key",
                            d + "/client.crt", d + "/client.key", d + "/other-ca.crt"};
  }();
  return certificates;
}

MosquittoBroker::MosquittoBroker(BrokerOptions options)
    : options_(std::move(options)), binary_(find_program("mosquitto")) {
  if (binary_.empty()) throw std::runtime_error("mosquitto not found (scripts/install-deps)");
  if (!options_.users.empty()) {
    const std::string passwd = find_program("mosquitto_passwd");
    const std::string file = dir_.path() + "/passwd";
    for (const auto& [user, password] : options_.users)
      run_or_throw(passwd + (std::filesystem::exists(file) ? " -b " : " -b -c ") + file + " " +
                       user + " " + password,
                   dir_.path() + "/passwd.log");
  }
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    port_ = free_loopback_port();
    tls_port_ = options_.tls ? free_loopback_port() : 0;
    write_config();
    if (launch()) return;
  }
  throw std::runtime_error("mosquitto did not start:\n" + log());
}

MosquittoBroker::~MosquittoBroker() {
  kill();
}

std::string MosquittoBroker::url() const {
  return "mqtt://127.0.0.1:" + std::to_string(port_);
}

std::string MosquittoBroker::log() const {
  return read_file(dir_.path() + "/mosquitto.log");
}

void MosquittoBroker::write_config() const {
  std::ostringstream config;
  config << "per_listener_settings false\nlog_dest stderr\n"
         // A slow test consumer must never lose QoS 1 messages to a queue limit.
         << "max_queued_messages 0\n"
         << (options_.persistence ? "persistence true\npersistence_location " + dir_.path() + "/\n"
                                  : std::string("persistence false\n"))
         << "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
         << "allow_anonymous " << (options_.allow_anonymous ? "true" : "false") << "\n";
  // As root, mosquitto would switch to the mosquitto user, who cannot read this temp dir.
  if (const passwd* me = getpwuid(geteuid())) config << "user " << me->pw_name << "\n";
  if (!options_.users.empty()) config << "password_file " << dir_.path() << "/passwd\n";
  config << "listener " << port_ << " 127.0.0.1\n";
  if (options_.tls) {
    const auto& certificates = TestCertificates::get();
    config << "listener " << tls_port_ << " 127.0.0.1\n"
           << "cafile " << certificates.ca_file << "\ncertfile " << certificates.server_cert
           << "\nkeyfile " << certificates.server_key << "\nrequire_certificate "
           << (options_.require_client_cert ? "true" : "false") << "\n";
  }
  write_file(dir_.path() + "/mosquitto.conf", config.str());
}

void MosquittoBroker::start() {
  if (running()) return;
  if (!launch()) throw std::runtime_error("mosquitto did not restart:\n" + log());
}

bool MosquittoBroker::launch() {
  const std::string config = dir_.path() + "/mosquitto.conf";
  const std::string log_file = dir_.path() + "/mosquitto.log";
  // Everything the child needs is ready before fork(): it only redirects and execs.
  const char* argv[] = {binary_.c_str(), "-c", config.c_str(), nullptr};
  const int log_fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  pid_ = fork();
  if (pid_ == 0) {
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    // The test's sockets must not live on in the broker (a client's close would not close).
    close_range(3, ~0U, 0);
    execv(argv[0], const_cast<char* const*>(argv));
    _exit(127);
  }
  close(log_fd);
  const auto deadline = Clock::now() + kStartDeadline;
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (accepts(port_) && (tls_port_ == 0 || accepts(tls_port_))) return true;
    std::this_thread::sleep_for(kPoll);
  }
  kill();
  throw std::runtime_error("mosquitto did not accept connections in time:\n" + log());
}

void MosquittoBroker::wait_exit() {
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void MosquittoBroker::stop() {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGCONT);  // a frozen broker handles SIGTERM once it runs again
  wait_exit();
}

void MosquittoBroker::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  wait_exit();
}

void MosquittoBroker::freeze() {
  if (running()) ::kill(pid_, SIGSTOP);
}

}  // namespace roomd::test
