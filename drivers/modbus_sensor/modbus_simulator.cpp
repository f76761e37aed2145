#include "drivers/modbus_sensor/modbus_simulator.hpp"

#include "drivers/modbus_sensor/pty_bridge.hpp"
#include "transports/modbus_frame.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <modbus.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

namespace roomd::modbus {

namespace {

using Clock = std::chrono::steady_clock;

// Every address answers, so any register reads as 0 until set, as on a device with a full map.
constexpr int kTableSize = 65536;
constexpr int kMaxUnit = 255;
// A peer that stops in the middle of a frame is dropped after this long; it also bounds how
// long stop() waits for a server thread caught mid-frame.
constexpr long kByteTimeoutUs = 200'000;

struct MappingDeleter {
  void operator()(modbus_mapping_t* mapping) const { modbus_mapping_free(mapping); }
};

struct Drift {
  Table table;
  std::uint16_t address;
  int step;
  std::chrono::milliseconds every;
  int low;
  int high;
  Clock::time_point last;  // drift applied up to here
};

struct Unit {
  std::unique_ptr<modbus_mapping_t, MappingDeleter> mapping;
  bool dead = false;
  int exception = 0;
  std::chrono::milliseconds delay{0};
  std::vector<Drift> drifts;
};

std::runtime_error modbus_error(const std::string& what) {
  return std::runtime_error("modbus simulator: " + what + ": " + modbus_strerror(errno));
}

void check_unit(int unit) {
  if (unit < 0 || unit > kMaxUnit) {
    throw std::invalid_argument("modbus simulator: unit " + std::to_string(unit) + " is not 0-255");
  }
}

// The cell behind (table, address); bits are stored one per byte, 0 or 1.
std::uint16_t read_cell(const modbus_mapping_t& m, Table table, std::uint16_t address) {
  switch (table) {
    case Table::coil:
      return m.tab_bits[address];
    case Table::discrete_input:
      return m.tab_input_bits[address];
    case Table::input_register:
      return m.tab_input_registers[address];
    case Table::holding_register:
      return m.tab_registers[address];
  }
  return 0;
}

void write_cell(modbus_mapping_t& m, Table table, std::uint16_t address, std::uint16_t value) {
  switch (table) {
    case Table::coil:
      m.tab_bits[address] = value != 0 ? 1 : 0;
      break;
    case Table::discrete_input:
      m.tab_input_bits[address] = value != 0 ? 1 : 0;
      break;
    case Table::input_register:
      m.tab_input_registers[address] = value;
      break;
    case Table::holding_register:
      m.tab_registers[address] = value;
      break;
  }
}

// Brings a unit's drifting registers up to `now`. Drift is computed when someone looks, so no
// thread ticks and a test sees exactly whole steps.
void apply_drifts(Unit& unit, Clock::time_point now) {
  for (auto& d : unit.drifts) {
    const auto steps = (now - d.last) / d.every;
    if (steps <= 0) continue;
    d.last += steps * d.every;
    const std::int64_t range = static_cast<std::int64_t>(d.high) - d.low + 1;
    const std::int64_t moved =
        read_cell(*unit.mapping, d.table, d.address) - d.low + steps * std::int64_t{d.step};
    const std::int64_t wrapped = ((moved % range) + range) % range + d.low;
    write_cell(*unit.mapping, d.table, d.address, static_cast<std::uint16_t>(wrapped));
  }
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

struct Simulator::Impl {
  explicit Impl(Options o) : options(std::move(o)) {}

  Options options;

  // Guards the device state below; server threads take it per request.
  mutable std::mutex mutex;
  std::map<int, Unit> units;
  std::map<int, std::uint64_t> requests;

  // Run state: touched only by start() and stop(), and read-only by server threads while they
  // run.
  bool running = false;
  int wake_fd = -1;  // eventfd written once by stop(); every server thread polls it
  int listen_fd = -1;
  std::uint16_t bound_port = 0;
  std::unique_ptr<PtyBridge> bridge;
  modbus_t* rtu_ctx = nullptr;
  std::thread main_thread;  // TCP accept loop, or the RTU server loop
  struct Client {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Client> clients;  // owned by the accept loop until it has been joined

  Unit& unit_or_throw(int unit) {
    auto it = units.find(unit);
    if (it == units.end()) {
      throw std::invalid_argument("modbus simulator: unit " + std::to_string(unit) +
                                  " was not added");
    }
    return it->second;
  }

  // Waits until `fd` is readable; false once stop() was called.
  bool wait_readable(int fd) const {
    std::array<pollfd, 2> fds{{{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}}};
    for (;;) {
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (fds[1].revents != 0) return false;
      return fds[0].revents != 0;
    }
  }

  // Sleeps for `delay`; false when stop() cut it short.
  bool pause(std::chrono::milliseconds delay) const {
    const auto deadline = Clock::now() + delay;
    pollfd wake{wake_fd, POLLIN, 0};
    for (;;) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return true;
      const int rc = ::poll(&wake, 1, static_cast<int>(left));
      if (rc > 0) return false;
      if (rc < 0 && errno != EINTR) return false;
    }
  }

  // Answers one request (or deliberately does not). `length` includes any RTU CRC.
  void handle(modbus_t* ctx, const std::uint8_t* request, int length, bool rtu) {
    const int unit = request[modbus_get_header_length(ctx) - 1];
    int exception = 0;
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard lock(mutex);
      ++requests[unit];
      auto it = units.find(unit);
      if (it == units.end() || it->second.dead) return;  // an absent slave says nothing
      exception = it->second.exception;
      delay = it->second.delay;
    }
    if (delay.count() > 0 && !pause(delay)) return;
    std::lock_guard lock(mutex);
    // The test may have changed the unit while the answer was held back.
    auto it = units.find(unit);
    if (it == units.end() || it->second.dead) return;
    // libmodbus replies as the unit named in the request; the context's slave id is set to
    // match anyway so nothing in libmodbus sees a request for a stranger.
    if (rtu) modbus_set_slave(ctx, unit);
    if (exception != 0) {
      modbus_reply_exception(ctx, request, static_cast<unsigned>(exception));
      return;
    }
    apply_drifts(it->second, Clock::now());
    modbus_reply(ctx, request, length, it->second.mapping.get());
  }

  void serve_tcp_client(int fd, const std::shared_ptr<std::atomic<bool>>& done) {
    modbus_t* ctx = modbus_new_tcp(options.bind.c_str(), 0);
    if (ctx == nullptr) {
      ::close(fd);
      done->store(true);
      return;
    }
    modbus_set_socket(ctx, fd);
    modbus_set_byte_timeout(ctx, 0, kByteTimeoutUs);
    std::array<std::uint8_t, MODBUS_TCP_MAX_ADU_LENGTH> request{};
    while (wait_readable(fd)) {
      const int rc = modbus_receive(ctx, request.data());
      if (rc <= 0) break;  // closed by the client, or a broken frame: drop the connection
      handle(ctx, request.data(), rc, false);
    }
    modbus_close(ctx);  // closes fd
    modbus_free(ctx);
    done->store(true);
  }

  void accept_loop() {
    while (wait_readable(listen_fd)) {
      const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        // Out of descriptors or a client gone before accept: do not spin on the listener.
        if (errno == EMFILE || errno == ENFILE) pause(std::chrono::milliseconds(50));
        continue;
      }
      std::erase_if(clients, [](Client& c) {
        if (!c.done->load()) return false;
        c.thread.join();
        return true;
      });
      auto done = std::make_shared<std::atomic<bool>>(false);
      clients.push_back({std::thread([this, fd, done] { serve_tcp_client(fd, done); }), done});
    }
  }

  // Reads one RTU request into `frame`, sized from its own header, byte by byte as it
  // arrives; nullopt for a frame cut short (byte timeout), too long or stopped.
  std::optional<std::size_t> read_rtu_frame(int fd,
                                            std::array<std::uint8_t, kRtuMaxAduLength>& frame) {
    std::size_t have = 0;
    for (;;) {
      const auto size = rtu_request_length(std::span<const std::uint8_t>(frame.data(), have));
      const std::size_t want = size ? *size : have + 1;
      if (want > frame.size()) return std::nullopt;
      if (have == want) return have;
      std::array<pollfd, 2> fds{{{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}}};
      const int rc = ::poll(fds.data(), fds.size(), static_cast<int>(kByteTimeoutUs / 1000));
      if (rc < 0 && errno == EINTR) continue;
      if (rc <= 0 || fds[1].revents != 0) return std::nullopt;
      // Never more than this frame: the next one may already be waiting behind it.
      const ssize_t n = ::read(fd, frame.data() + have, want - have);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) return std::nullopt;
      have += static_cast<std::size_t>(n);
    }
  }

  // RTU frames are read here rather than with modbus_receive(): libmodbus 3.1.6 passes only
  // requests for the context's own slave id, and after one for another id it swallows the next
  // frame as that slave's answer (multi-drop bus logic), which would eat our next request.
  // libmodbus still builds and sends every answer.
  void rtu_loop() {
    const int fd = modbus_get_socket(rtu_ctx);
    std::array<std::uint8_t, kRtuMaxAduLength> request{};
    while (wait_readable(fd)) {
      const auto size = read_rtu_frame(fd, request);
      if (!size || !rtu_crc_ok(std::span<const std::uint8_t>(request.data(), *size))) {
        // Noise, a broken or cut-off frame: drop what is buffered and resynchronise on the
        // next frame, as a real slave does after a silent interval.
        modbus_flush(rtu_ctx);
        continue;
      }
      handle(rtu_ctx, request.data(), static_cast<int>(*size), true);
    }
  }

  void start_tcp() {
    const std::string bind = options.bind == "localhost" ? "127.0.0.1" : options.bind;
    // After a restart an ephemeral port is reused, so clients find the device where it was.
    const std::uint16_t port = options.port != 0 ? options.port : bound_port;
    modbus_t* ctx = modbus_new_tcp(bind.c_str(), port);
    if (ctx == nullptr) throw modbus_error("modbus_new_tcp " + bind);
    listen_fd = modbus_tcp_listen(ctx, 16);
    const int saved_errno = errno;
    modbus_free(ctx);  // the listening socket is ours; the context never held it
    if (listen_fd < 0) {
      errno = saved_errno;
      throw modbus_error("listen on " + bind + ":" + std::to_string(port));
    }
    ::fcntl(listen_fd, F_SETFD, FD_CLOEXEC);
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::system_error(errno, std::generic_category(), "modbus simulator: getsockname");
    }
    bound_port = ntohs(addr.sin_port);
    main_thread = std::thread([this] { accept_loop(); });
  }

  void start_rtu() {
    bridge = std::make_unique<PtyBridge>();
    rtu_ctx = modbus_new_rtu(bridge->server_path().c_str(), options.baud, 'N', 8, 1);
    if (rtu_ctx == nullptr) throw modbus_error("modbus_new_rtu " + bridge->server_path());
    // Any valid id; handle() sets the one of each request before answering it.
    modbus_set_slave(rtu_ctx, 1);
    if (modbus_connect(rtu_ctx) != 0) throw modbus_error("open " + bridge->server_path());
    main_thread = std::thread([this] { rtu_loop(); });
  }

  void start() {
    if (running) return;
    wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd < 0) {
      throw std::system_error(errno, std::generic_category(), "modbus simulator: eventfd");
    }
    running = true;
    try {
      if (options.rtu) {
        start_rtu();
      } else {
        start_tcp();
      }
    } catch (...) {
      stop();
      throw;
    }
  }

  void stop() {
    if (!running) return;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
    if (main_thread.joinable()) main_thread.join();
    for (auto& c : clients) c.thread.join();
    clients.clear();
    close_fd(listen_fd);
    if (rtu_ctx != nullptr) {
      modbus_close(rtu_ctx);
      modbus_free(rtu_ctx);
      rtu_ctx = nullptr;
    }
    bridge.reset();
    close_fd(wake_fd);
    running = false;
  }
};

Simulator::Simulator(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Simulator::~Simulator() {
  stop();
}

void Simulator::start() {
  impl_->start();
}

void Simulator::stop() {
  impl_->stop();
}

std::uint16_t Simulator::port() const {
  return impl_->options.rtu ? 0 : impl_->bound_port;
}

std::string Simulator::device_path() const {
  return impl_->bridge ? impl_->bridge->client_path() : std::string();
}

void Simulator::add_unit(int unit) {
  check_unit(unit);
  std::lock_guard lock(impl_->mutex);
  auto& u = impl_->units[unit];
  if (u.mapping) return;
  u.mapping.reset(modbus_mapping_new(kTableSize, kTableSize, kTableSize, kTableSize));
  if (!u.mapping) {
    impl_->units.erase(unit);
    throw std::bad_alloc();
  }
}

void Simulator::set_value(int unit, Table table, std::uint16_t address, std::uint16_t value) {
  std::lock_guard lock(impl_->mutex);
  auto& u = impl_->unit_or_throw(unit);
  apply_drifts(u, Clock::now());
  write_cell(*u.mapping, table, address, value);
}

std::uint16_t Simulator::value(int unit, Table table, std::uint16_t address) const {
  std::lock_guard lock(impl_->mutex);
  auto& u = impl_->unit_or_throw(unit);
  apply_drifts(u, Clock::now());
  return read_cell(*u.mapping, table, address);
}

void Simulator::drift(int unit, Table table, std::uint16_t address, int step,
                      std::chrono::milliseconds every, int low, int high) {
  if (is_bit_table(table)) high = std::min(high, 1);
  if (every.count() <= 0 || low < 0 || high > 65535 || low > high) {
    throw std::invalid_argument("modbus simulator: drift needs every > 0 and 0 <= low <= high");
  }
  std::lock_guard lock(impl_->mutex);
  auto& u = impl_->unit_or_throw(unit);
  const auto now = Clock::now();
  apply_drifts(u, now);
  std::erase_if(u.drifts, [&](const Drift& d) { return d.table == table && d.address == address; });
  if (step != 0) u.drifts.push_back({table, address, step, every, low, high, now});
}

void Simulator::set_dead(int unit, bool dead) {
  std::lock_guard lock(impl_->mutex);
  impl_->unit_or_throw(unit).dead = dead;
}

void Simulator::set_exception(int unit, int code) {
  if (code < 0 || code > 255) {
    throw std::invalid_argument("modbus simulator: exception code " + std::to_string(code));
  }
  std::lock_guard lock(impl_->mutex);
  impl_->unit_or_throw(unit).exception = code;
}

void Simulator::set_delay(int unit, std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mutex);
  impl_->unit_or_throw(unit).delay = std::max(delay, std::chrono::milliseconds(0));
}

std::uint64_t Simulator::requests(int unit) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->requests.find(unit);
  return it == impl_->requests.end() ? 0 : it->second;
}

}  // namespace roomd::modbus
