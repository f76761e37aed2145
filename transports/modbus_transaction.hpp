// One Modbus transaction on a bus: the libmodbus context with its connects and backoff, the
// per-slave breaker, one request's exchange (TCP reads framed by roomd's codec in
// modbus_frame.hpp, the rest by libmodbus) and the error an integrator reads for each failure.
#pragma once

#include "base/asio.hpp"
#include "base/backoff.hpp"
#include "base/link_config.hpp"
#include "transports/modbus_breaker.hpp"
#include "transports/modbus_bus_registry.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

struct _modbus;

namespace roomd::modbus {

// Blocking, like libmodbus: only the bus's worker thread (BusWorker) calls it, except
// connected(), health() and description(), which any thread may read.
class Transaction {
 public:
  using Micros = std::chrono::microseconds;

  // Exactly one of `tcp` and `rtu`. `resolver` turns an RTU port spec into a device path at
  // every (re)connect; without one the spec's path is used as it is.
  Transaction(std::optional<ModbusTcpConfig> tcp, std::optional<ModbusRtuConfig> rtu,
              PortResolver resolver, const ModbusBusConfig& bus);
  ~Transaction();  // disconnects
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Called as soon as a TCP read's frame is on the wire, before its answer is awaited: the
  // worker hands over the result it held back while the device is busy answering.
  void on_sent(std::function<void()> hook) { on_sent_ = std::move(hook); }

  // Connects if needed (not before the backoff allows), then runs `request` into `result`,
  // which comes empty (its vectors perhaps reserved). False when no frame went out.
  bool run(const Request& request, Result& result);
  void disconnect();

  // Whether a read sends its frame before it waits (see on_sent): TCP, connected, no gap.
  bool sends_before_waiting() const { return tcp_ && ctx_ != nullptr && gap_.count() == 0; }
  // The quiet time the bus keeps between frames.
  Micros gap() const { return gap_; }
  bool connected() const { return connected_; }
  SlaveHealth health(int unit) const { return breaker_.health(unit); }
  const std::string& description() const { return description_; }
  // "modbus tcp 10.0.0.9:502 unit 3: ", how errors about one request start.
  std::string where(const Request& request) const;

 private:
  void transact(const Request& request, Result& result);
  int tcp_read(const Request& request, Result& result);
  int receive_answer(std::uint16_t transaction, std::uint8_t* answer);
  void set_response_timeout(Micros timeout);
  bool ensure_connected();
  bool connect();

  // Fixed at construction.
  const std::optional<ModbusTcpConfig> tcp_;
  const std::optional<ModbusRtuConfig> rtu_;
  const PortResolver resolver_;
  const ModbusBusConfig bus_;
  const std::string description_;
  const std::string connect_hint_;
  const Micros gap_;
  Breaker breaker_;  // locks itself: health() reads it from other threads
  std::atomic<bool> connected_{false};

  // Worker thread only.
  _modbus* ctx_ = nullptr;
  Backoff backoff_;
  Clock::time_point retry_at_{};
  std::string down_reason_ = "not tried yet";
  std::uint16_t last_transaction_ = 0;  // of tcp_read's frames
  std::string_view frame_problem_;      // why tcp_read refused an answer
  std::function<void()> on_sent_;
};

// A result that carries only `error`.
Result failure(std::string error);
// "reading input register 7 (count 1)"
std::string action_text(const Request& request);
// What the request itself gets wrong, before it reaches the queue; empty when it is fine.
std::string request_problem(const Request& request);
// "/dev/ttyUSB0", or "usb 0403:6001 serial A1B2" for a port named by USB identity.
std::string port_text(const SerialPortSpec& port);

}  // namespace roomd::modbus
