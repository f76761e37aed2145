#include "tests/transports/modbus_test_server.hpp"

#include <modbus.h>

#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace roomd::test {

namespace {

using modbus::Table;

// Short, so stop() never waits long for the serving thread.
constexpr int kSelectTimeoutUs = 20000;

struct Unit {
  modbus_mapping_t* mapping = nullptr;
  bool dead = false;
  int exception = 0;
  std::chrono::milliseconds delay{0};
  std::uint64_t requests = 0;
  int last_function = 0;
};

}  // namespace

struct ModbusTestServer::Impl {
  explicit Impl(std::uint16_t wanted) : wanted_port(wanted) {}

  ~Impl() {
    stop();
    for (auto& [id, unit] : units) {
      if (unit.mapping != nullptr) modbus_mapping_free(unit.mapping);
    }
  }

  void start() {
    if (thread.joinable()) return;
    ctx = modbus_new_tcp("127.0.0.1", wanted_port);
    if (ctx == nullptr) throw std::runtime_error("modbus_new_tcp failed");
    listen_fd = modbus_tcp_listen(ctx, 8);
    if (listen_fd == -1) {
      const std::string error = modbus_strerror(errno);
      modbus_free(ctx);
      ctx = nullptr;
      throw std::runtime_error("cannot listen on port " + std::to_string(wanted_port) + ": " +
                               error);
    }
    sockaddr_in address{};
    socklen_t length = sizeof address;
    ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&address), &length);
    bound_port = ntohs(address.sin_port);
    stopping = false;
    thread = std::thread([this] { serve(); });
  }

  void stop() {
    if (!thread.joinable()) return;
    stopping = true;
    thread.join();
    for (int fd : clients) ::close(fd);
    clients.clear();
    ::close(listen_fd);
    listen_fd = -1;
    modbus_free(ctx);  // does not close sockets: they are ours
    ctx = nullptr;
  }

  void serve() {
    std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    while (!stopping) {
      fd_set readable;
      FD_ZERO(&readable);
      FD_SET(listen_fd, &readable);
      int highest = listen_fd;
      for (int fd : clients) {
        FD_SET(fd, &readable);
        highest = std::max(highest, fd);
      }
      timeval timeout{0, kSelectTimeoutUs};
      if (::select(highest + 1, &readable, nullptr, nullptr, &timeout) <= 0) continue;
      if (FD_ISSET(listen_fd, &readable)) {
        const int fd = ::accept(listen_fd, nullptr, nullptr);
        if (fd >= 0) clients.push_back(fd);
      }
      for (int fd : std::vector<int>(clients)) {
        if (!FD_ISSET(fd, &readable)) continue;
        modbus_set_socket(ctx, fd);
        const int length = modbus_receive(ctx, query);
        if (length > 0) {
          answer(query, length);
        } else if (length == -1) {
          ::close(fd);
          clients.erase(std::find(clients.begin(), clients.end(), fd));
        }
      }
    }
  }

  void answer(const std::uint8_t* query, int length) {
    const int header = modbus_get_header_length(ctx);
    const int id = query[header - 1];
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard lock(mutex);
      arrivals.push_back(std::chrono::steady_clock::now());
      auto& unit = units[id];
      ++unit.requests;
      unit.last_function = query[header];
      if (unit.mapping == nullptr || unit.dead) return;
      delay = unit.delay;
    }
    // Only this thread serves, so a slow unit delays the others: fine for a test server.
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    std::lock_guard lock(mutex);
    auto& unit = units[id];
    if (unit.exception != 0) {
      modbus_reply_exception(ctx, query, static_cast<unsigned>(unit.exception));
    } else {
      modbus_reply(ctx, query, length, unit.mapping);
    }
  }

  modbus_mapping_t* mapping(int id, std::uint16_t address) const {
    auto it = units.find(id);
    if (it == units.end() || it->second.mapping == nullptr || address >= kTableSize) {
      throw std::out_of_range("no such unit or address in the test server");
    }
    return it->second.mapping;
  }

  const std::uint16_t wanted_port;
  std::uint16_t bound_port = 0;
  modbus_t* ctx = nullptr;
  int listen_fd = -1;
  std::vector<int> clients;  // serving thread only, while it runs
  std::atomic<bool> stopping{false};
  std::thread thread;

  mutable std::mutex mutex;
  std::map<int, Unit> units;
  std::vector<std::chrono::steady_clock::time_point> arrivals;
};

ModbusTestServer::ModbusTestServer(std::uint16_t port) : impl_(std::make_unique<Impl>(port)) {}

ModbusTestServer::~ModbusTestServer() = default;

void ModbusTestServer::start() {
  impl_->start();
}

void ModbusTestServer::stop() {
  impl_->stop();
}

std::uint16_t ModbusTestServer::port() const {
  return impl_->bound_port;
}

void ModbusTestServer::add_unit(int unit) {
  std::lock_guard lock(impl_->mutex);
  auto& entry = impl_->units[unit];
  if (entry.mapping == nullptr) {
    entry.mapping = modbus_mapping_new(kTableSize, kTableSize, kTableSize, kTableSize);
  }
}

void ModbusTestServer::set_dead(int unit, bool dead) {
  std::lock_guard lock(impl_->mutex);
  impl_->units[unit].dead = dead;
}

void ModbusTestServer::set_exception(int unit, int code) {
  std::lock_guard lock(impl_->mutex);
  impl_->units[unit].exception = code;
}

void ModbusTestServer::set_delay(int unit, std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mutex);
  impl_->units[unit].delay = delay;
}

void ModbusTestServer::set_value(int unit, Table table, std::uint16_t address,
                                 std::uint16_t value) {
  std::lock_guard lock(impl_->mutex);
  modbus_mapping_t* m = impl_->mapping(unit, address);
  const std::uint8_t bit = value != 0 ? 1 : 0;
  switch (table) {
    case Table::coil:
      m->tab_bits[address] = bit;
      break;
    case Table::discrete_input:
      m->tab_input_bits[address] = bit;
      break;
    case Table::input_register:
      m->tab_input_registers[address] = value;
      break;
    case Table::holding_register:
      m->tab_registers[address] = value;
      break;
  }
}

std::uint16_t ModbusTestServer::value(int unit, Table table, std::uint16_t address) const {
  std::lock_guard lock(impl_->mutex);
  const modbus_mapping_t* m = impl_->mapping(unit, address);
  switch (table) {
    case Table::coil:
      return m->tab_bits[address];
    case Table::discrete_input:
      return m->tab_input_bits[address];
    case Table::input_register:
      return m->tab_input_registers[address];
    case Table::holding_register:
      break;
  }
  return m->tab_registers[address];
}

std::uint64_t ModbusTestServer::requests(int unit) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->units.find(unit);
  return it == impl_->units.end() ? 0 : it->second.requests;
}

int ModbusTestServer::last_function(int unit) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->units.find(unit);
  return it == impl_->units.end() ? 0 : it->second.last_function;
}

std::vector<std::chrono::steady_clock::time_point> ModbusTestServer::arrivals() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->arrivals;
}

}  // namespace roomd::test
