#include "transports/modbus_bus_worker.hpp"

#include "transports/backoff.hpp"
#include "transports/host_port.hpp"
#include "transports/modbus_breaker.hpp"

#include <boost/asio/post.hpp>

#include <modbus.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace roomd::modbus {

namespace {

using Micros = std::chrono::microseconds;

// Above 19200 baud the standard fixes the inter-frame silence at 1750 us instead of 3.5
// character times.
constexpr int kFastBaud = 19200;
constexpr Micros kFastBaudGap{1750};

struct Pending {
  Request request;
  Executor executor;
  std::function<void(Result)> done;
};

// Results always go through the caller's executor: the worker never runs caller code.
void deliver(Pending& pending, Result result) {
  boost::asio::post(pending.executor,
                    [done = std::move(pending.done), result = std::move(result)]() mutable {
                      done(std::move(result));
                    });
}

// "Connection refused" -> "connection refused", but "CRC ..." stays as it is.
std::string sentence_case(std::string text) {
  if (text.size() >= 2 && std::isupper(static_cast<unsigned char>(text[0])) &&
      std::islower(static_cast<unsigned char>(text[1]))) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return text;
}

std::string error_text(int error) {
  return sentence_case(modbus_strerror(error));
}

std::string duration_text(Duration d) {
  if (d.count() != 0 && d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

std::string_view table_noun(Table table) {
  switch (table) {
    case Table::coil:
      return "coil";
    case Table::discrete_input:
      return "discrete input";
    case Table::input_register:
      return "input register";
    case Table::holding_register:
      break;
  }
  return "holding register";
}

int value_count(const Request& request) {
  if (!request.write) return request.count;
  return static_cast<int>(is_bit_table(request.table) ? request.bits.size()
                                                      : request.registers.size());
}

// "reading input register 7 (count 1)"
std::string action_text(const Request& request) {
  std::string text = request.write ? "writing " : "reading ";
  text += table_noun(request.table);
  text += ' ';
  text += std::to_string(request.address);
  text += " (count " + std::to_string(value_count(request)) + ")";
  return text;
}

int count_limit(const Request& request) {
  if (is_bit_table(request.table)) {
    return request.write ? MODBUS_MAX_WRITE_BITS : MODBUS_MAX_READ_BITS;
  }
  return request.write ? MODBUS_MAX_WRITE_REGISTERS : MODBUS_MAX_READ_REGISTERS;
}

// What the request itself gets wrong, before it reaches the queue; empty when it is fine.
std::string request_problem(const Request& request) {
  if (request.write && !is_writable(request.table)) {
    return "cannot write " + std::string(table_noun(request.table)) + " " +
           std::to_string(request.address) + ": " + std::string(table_noun(request.table)) +
           "s are read-only; only coils and holding registers can be written";
  }
  const int count = value_count(request);
  if (request.write && count == 0) {
    return "nothing to write to " + std::string(table_noun(request.table)) + " " +
           std::to_string(request.address);
  }
  const int limit = count_limit(request);
  if (count < 1 || count > limit) {
    return "count must be 1-" + std::to_string(limit) + " " + action_text(request);
  }
  if (request.address + count - 1 > 0xFFFF) {
    return "the range ends past address 65535 " + action_text(request);
  }
  return {};
}

// What to check after a slave's exception, by code.
std::string_view exception_hint(int code) {
  switch (code) {
    case MODBUS_EXCEPTION_ILLEGAL_FUNCTION:
    case MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS:
    case MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE:
      return "; check the register map";
    case MODBUS_EXCEPTION_SLAVE_OR_SERVER_BUSY:
    case MODBUS_EXCEPTION_ACKNOWLEDGE:
      return "; the device is busy, it is tried again on the next request";
    case MODBUS_EXCEPTION_GATEWAY_PATH:
    case MODBUS_EXCEPTION_GATEWAY_TARGET:
      return "; check the gateway's routing and the device behind it";
    default:
      return "; check the device";
  }
}

bool is_exception(int error) {
  return error > MODBUS_ENOBASE && error <= EMBXGTAR;
}

// Errors after which the link is unusable and must be opened again: the peer closed or reset
// the connection, or the serial adapter went away.
bool is_link_error(int error) {
  switch (error) {
    case ECONNRESET:
    case ECONNREFUSED:
    case ECONNABORTED:
    case EPIPE:
    case EBADF:
    case ENOTCONN:
    case ESHUTDOWN:
    case ENETDOWN:
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EIO:
    case ENODEV:
    case ENXIO:
      return true;
    default:
      return false;
  }
}

char parity_letter(const std::string& parity) {
  if (parity == "even") return 'E';
  if (parity == "odd") return 'O';
  return 'N';
}

// The silence RTU requires between frames: 3.5 characters of start, data, parity and stop bits.
Micros rtu_frame_gap(const SerialLineConfig& line) {
  if (line.baud <= 0) return Micros{0};
  if (line.baud > kFastBaud) return kFastBaudGap;
  const int bits =
      1 + line.data_bits + (parity_letter(line.parity) == 'N' ? 0 : 1) + line.stop_bits;
  // 3.5 * bits / baud seconds, rounded up to the next microsecond.
  const long long numerator = 35LL * bits * 100000;
  return Micros{(numerator + line.baud - 1) / line.baud};
}

}  // namespace

std::string port_text(const SerialPortSpec& port) {
  if (!port.usb) return port.path;
  std::string text = "usb " + port.usb->vid + ":" + port.usb->pid;
  if (!port.usb->serial.empty()) text += " serial " + port.usb->serial;
  return text;
}

struct BusWorker::Impl {
  Impl(std::optional<ModbusTcpConfig> tcp_config, std::optional<ModbusRtuConfig> rtu_config,
       PortResolver port_resolver, const ModbusBusConfig& bus_config)
      : tcp(std::move(tcp_config)),
        rtu(std::move(rtu_config)),
        resolver(std::move(port_resolver)),
        bus(bus_config),
        description(tcp ? "modbus tcp " + host_port(tcp->host, tcp->port)
                        : "modbus rtu " + port_text(rtu->port)),
        gap(std::max<Micros>(bus.gap, rtu ? rtu_frame_gap(rtu->line) : Micros{0})),
        breaker(bus.breaker_after, bus.breaker_retry),
        thread([this] { run(); }) {}

  ~Impl() {
    request_stop();
    join();
  }

  void submit(Request request, Executor executor, std::function<void(Result)> done) {
    Pending pending{std::move(request), std::move(executor), std::move(done)};
    if (std::string problem = request_problem(pending.request); !problem.empty()) {
      // Caught here, without touching the bus or waiting behind other requests.
      fail(pending, where(pending.request) + problem);
      return;
    }
    {
      std::lock_guard lock(mutex);
      if (!stopping) {
        (pending.request.poll ? polls : urgent).push_back(std::move(pending));
        wake.notify_one();
        return;
      }
    }
    fail(pending, where(pending.request) + "bus stopped before " + action_text(pending.request));
  }

  void request_stop() {
    std::lock_guard lock(mutex);
    stopping = true;
    wake.notify_one();
  }

  void join() {
    std::lock_guard lock(join_mutex);
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  }

  bool is_stopping() const {
    std::lock_guard lock(mutex);
    return stopping;
  }

  // --- worker thread ---

  void run() {
    std::unique_lock lock(mutex);
    while (true) {
      wake.wait(lock, [this] { return stopping || !urgent.empty() || !polls.empty(); });
      if (stopping) break;
      // The gap is waited before choosing the next request, so an exec that arrives during
      // the gap still goes before the poll that was waiting.
      if (gap.count() > 0 && last_frame_end &&
          wake.wait_until(lock, *last_frame_end + gap, [this] { return stopping; })) {
        break;
      }
      auto& queue = urgent.empty() ? polls : urgent;
      Pending next = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      run_one(next);
      lock.lock();
    }
    std::deque<Pending> left;
    for (auto* queue : {&urgent, &polls}) {
      for (auto& pending : *queue) left.push_back(std::move(pending));
      queue->clear();
    }
    lock.unlock();
    for (auto& pending : left) {
      fail(pending, where(pending.request) + "bus stopped before " + action_text(pending.request));
    }
    disconnect();
  }

  void run_one(Pending& pending) {
    const Request& request = pending.request;
    if (!ensure_connected()) {
      fail(pending, description + ": not connected (" + down_reason + ")" + connect_hint);
      return;
    }
    if (!breaker.admit(request.unit, request.poll, Clock::now())) {
      fail(pending, description + " unit " + std::to_string(request.unit) +
                        " is not answering; polled every " + duration_text(breaker.retry()) +
                        " until it answers");
      return;
    }
    Result result = transact(request);
    last_frame_end = Clock::now();
    deliver(pending, std::move(result));
  }

  Result transact(const Request& request) {
    Result result;
    const std::string where = this->where(request);
    if (modbus_set_slave(ctx, request.unit) == -1) {
      result.error = where + "invalid unit id for this bus " + action_text(request);
      return result;
    }
    const int count = value_count(request);
    int rc = -1;
    errno = 0;
    if (request.write) {
      if (request.table == Table::coil) {
        rc = count == 1 ? modbus_write_bit(ctx, request.address, request.bits[0] != 0 ? 1 : 0)
                        : modbus_write_bits(ctx, request.address, count, request.bits.data());
      } else {
        rc = count == 1
                 ? modbus_write_register(ctx, request.address, request.registers[0])
                 : modbus_write_registers(ctx, request.address, count, request.registers.data());
      }
    } else if (is_bit_table(request.table)) {
      result.bits.resize(count);
      rc = request.table == Table::coil
               ? modbus_read_bits(ctx, request.address, count, result.bits.data())
               : modbus_read_input_bits(ctx, request.address, count, result.bits.data());
    } else {
      result.registers.resize(count);
      rc = request.table == Table::holding_register
               ? modbus_read_registers(ctx, request.address, count, result.registers.data())
               : modbus_read_input_registers(ctx, request.address, count, result.registers.data());
    }
    if (rc != -1) {
      breaker.on_answer(request.unit);
      result.ok = true;
      return result;
    }
    const int error = errno;
    result.registers.clear();
    result.bits.clear();
    if (error == ETIMEDOUT) {
      breaker.on_timeout(request.unit, Clock::now());
      result.timeout = true;
      result.error = where + "no answer within " + std::to_string(bus.timeout.count()) + " ms " +
                     action_text(request);
      // A late answer must not be taken for the next request's.
      modbus_flush(ctx);
    } else if (is_exception(error)) {
      breaker.on_answer(request.unit);  // an exception is an answer: the slave is alive
      result.exception = error - MODBUS_ENOBASE;
      const std::string code = "exception " + std::to_string(result.exception);
      std::string text = exception_text(result.exception);
      // exception_text() falls back to "exception N" for codes it has no name for.
      if (text != code) text += " (" + code + ")";
      result.error =
          where + text + " " + action_text(request) + std::string(exception_hint(result.exception));
    } else if (is_link_error(error)) {
      down_reason = error_text(error);
      disconnect();
      // The next request reconnects at once; only failed connects back off.
      retry_at = Clock::now();
      result.error = where + "connection lost (" + down_reason + ") " + action_text(request) +
                     "; reconnecting";
    } else {
      result.error = where + error_text(error) + " " + action_text(request);
      modbus_flush(ctx);
    }
    return result;
  }

  bool ensure_connected() {
    if (ctx != nullptr) return true;
    if (Clock::now() < retry_at) return false;
    if (connect()) {
      backoff.reset();
      return true;
    }
    retry_at = Clock::now() + backoff.next_delay();
    return false;
  }

  bool connect() {
    std::string path;
    if (tcp) {
      ctx = modbus_new_tcp_pi(tcp->host.c_str(), std::to_string(tcp->port).c_str());
    } else {
      path = resolver ? resolver(rtu->port) : rtu->port.path;
      if (path.empty()) {
        down_reason = "port not found";
        return false;
      }
      ctx = modbus_new_rtu(path.c_str(), rtu->line.baud, parity_letter(rtu->line.parity),
                           rtu->line.data_bits, rtu->line.stop_bits);
    }
    if (ctx == nullptr) {
      down_reason = error_text(errno);
      return false;
    }
    const auto timeout = std::max(bus.timeout, Duration{1});
    modbus_set_response_timeout(ctx, static_cast<std::uint32_t>(timeout.count() / 1000),
                                static_cast<std::uint32_t>(timeout.count() % 1000 * 1000));
    if (modbus_connect(ctx) == -1) {
      const int error = errno;
      down_reason = error_text(error);
      // A port named by USB identity: say which device it resolved to.
      if (rtu && path != rtu->port.path) down_reason = path + ": " + down_reason;
      if (rtu && error == EACCES) down_reason += "; is roomd's user in the dialout group?";
      modbus_free(ctx);
      ctx = nullptr;
      return false;
    }
    is_connected = true;
    return true;
  }

  void disconnect() {
    if (ctx == nullptr) return;
    modbus_close(ctx);
    modbus_free(ctx);
    ctx = nullptr;
    is_connected = false;
  }

  // "modbus tcp 10.0.0.9:502 unit 3: ", how errors about one request start.
  std::string where(const Request& request) const {
    return description + " unit " + std::to_string(request.unit) + ": ";
  }

  void fail(Pending& pending, std::string error) {
    Result result;
    result.error = std::move(error);
    deliver(pending, std::move(result));
  }

  // Fixed at construction.
  const std::optional<ModbusTcpConfig> tcp;
  const std::optional<ModbusRtuConfig> rtu;
  const PortResolver resolver;
  const ModbusBusConfig bus;
  const std::string description;
  const std::string connect_hint = tcp ? "; check the device's network and port"
                                       : "; check the adapter is plugged in and the port is right";
  const Micros gap;
  Breaker breaker;  // locks itself: health() reads it from other threads

  // Shared with callers, under `mutex`.
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<Pending> urgent;  // exec and writes
  std::deque<Pending> polls;
  bool stopping = false;
  std::atomic<bool> is_connected{false};

  // Worker thread only.
  modbus_t* ctx = nullptr;
  Backoff backoff;
  Clock::time_point retry_at{};
  std::string down_reason = "not tried yet";
  std::optional<Clock::time_point> last_frame_end;

  std::mutex join_mutex;  // stop() may be called from two threads at once
  std::thread thread;     // last: it starts running once everything above exists
};

BusWorker::BusWorker(ModbusTcpConfig config)
    : impl_(std::make_unique<Impl>(config, std::nullopt, nullptr, config.bus)) {}

BusWorker::BusWorker(ModbusRtuConfig config, PortResolver resolver)
    : impl_(std::make_unique<Impl>(std::nullopt, config, std::move(resolver), config.bus)) {}

BusWorker::~BusWorker() = default;

void BusWorker::submit(Request request, boost::asio::any_io_executor executor,
                       std::function<void(Result)> done) {
  impl_->submit(std::move(request), std::move(executor), std::move(done));
}

bool BusWorker::connected() const {
  return impl_->is_connected;
}

SlaveHealth BusWorker::health(int unit) const {
  return impl_->breaker.health(unit);
}

std::string BusWorker::describe() const {
  return impl_->description;
}

void BusWorker::stop() {
  impl_->request_stop();
  impl_->join();
}

void BusWorker::request_stop() {
  impl_->request_stop();
}

bool BusWorker::stopped() const {
  return impl_->is_stopping();
}

}  // namespace roomd::modbus
