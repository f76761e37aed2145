#include "transports/modbus_transaction.hpp"

#include "base/units.hpp"
#include "transports/host_port.hpp"
#include "transports/modbus_frame.hpp"

#include <modbus.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <span>
#include <utility>

namespace roomd::modbus {

namespace {

using Micros = Transaction::Micros;

// Above 19200 baud the standard fixes the inter-frame silence at 1750 us instead of 3.5
// character times.
constexpr int kFastBaud = 19200;
constexpr Micros kFastBaudGap{1750};

// Late Modbus TCP answers skipped while waiting for the current one: only answers to the last
// few transactions count as late, and only a few of them, so a device that answers with
// transaction ids of its own is not waited on to the timeout.
constexpr std::uint16_t kLateAnswerWindow = 16;
constexpr int kMaxLateAnswers = 4;

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

int count_limit(const Request& request) {
  if (is_bit_table(request.table)) {
    return request.write ? MODBUS_MAX_WRITE_BITS : MODBUS_MAX_READ_BITS;
  }
  return request.write ? MODBUS_MAX_WRITE_REGISTERS : MODBUS_MAX_READ_REGISTERS;
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

std::uint8_t read_function(Table table) {
  switch (table) {
    case Table::coil:
      return kFcReadCoils;
    case Table::discrete_input:
      return kFcReadDiscreteInputs;
    case Table::input_register:
      return kFcReadInputRegisters;
    case Table::holding_register:
      break;
  }
  return kFcReadHoldingRegisters;
}
}  // namespace

Result failure(std::string error) {
  Result result;
  result.error = std::move(error);
  return result;
}

std::string action_text(const Request& request) {
  std::string text = request.write ? "writing " : "reading ";
  text += table_noun(request.table);
  text += ' ';
  text += std::to_string(request.address);
  text += " (count " + std::to_string(value_count(request)) + ")";
  return text;
}

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

std::string port_text(const SerialPortSpec& port) {
  if (!port.usb) return port.path;
  std::string text = "usb " + port.usb->vid + ":" + port.usb->pid;
  if (!port.usb->serial.empty()) text += " serial " + port.usb->serial;
  return text;
}

Transaction::Transaction(std::optional<ModbusTcpConfig> tcp, std::optional<ModbusRtuConfig> rtu,
                         PortResolver resolver, const ModbusBusConfig& bus)
    : tcp_(std::move(tcp)),
      rtu_(std::move(rtu)),
      resolver_(std::move(resolver)),
      bus_(bus),
      description_(tcp_ ? "modbus tcp " + host_port(tcp_->host, tcp_->port)
                        : "modbus rtu " + port_text(rtu_->port)),
      connect_hint_(tcp_ ? "; check the device's network and port"
                         : "; check the adapter is plugged in and the port is right"),
      gap_(std::max<Micros>(bus_.gap, rtu_ ? rtu_frame_gap(rtu_->line) : Micros{0})),
      breaker_(bus_.breaker_after, bus_.breaker_retry) {}

Transaction::~Transaction() {
  disconnect();
}

std::string Transaction::where(const Request& request) const {
  return description_ + " unit " + std::to_string(request.unit) + ": ";
}

bool Transaction::run(const Request& request, Result& result) {
  if (!ensure_connected()) {
    result = failure(description_ + ": not connected (" + down_reason_ + ")" + connect_hint_);
    return false;
  }
  if (!breaker_.admit(request.unit, request.poll, Clock::now())) {
    result = failure(description_ + " unit " + std::to_string(request.unit) +
                     " is not answering; polled every " + duration_text(breaker_.retry()) +
                     " until it answers");
    return false;
  }
  transact(request, result);
  return true;
}

// Fills `result`, which comes empty (its vectors perhaps reserved).
void Transaction::transact(const Request& request, Result& result) {
  frame_problem_ = {};
  if (modbus_set_slave(ctx_, request.unit) == -1) {
    result.error = where(request) + "invalid unit id for this bus " + action_text(request);
    return;
  }
  const int count = value_count(request);
  int rc = -1;
  errno = 0;
  if (request.write) {
    if (request.table == Table::coil) {
      rc = count == 1 ? modbus_write_bit(ctx_, request.address, request.bits[0] != 0 ? 1 : 0)
                      : modbus_write_bits(ctx_, request.address, count, request.bits.data());
    } else {
      rc = count == 1
               ? modbus_write_register(ctx_, request.address, request.registers[0])
               : modbus_write_registers(ctx_, request.address, count, request.registers.data());
    }
  } else if (tcp_) {
    rc = tcp_read(request, result);
  } else if (is_bit_table(request.table)) {
    result.bits.resize(count);
    rc = request.table == Table::coil
             ? modbus_read_bits(ctx_, request.address, count, result.bits.data())
             : modbus_read_input_bits(ctx_, request.address, count, result.bits.data());
  } else {
    result.registers.resize(count);
    rc = request.table == Table::holding_register
             ? modbus_read_registers(ctx_, request.address, count, result.registers.data())
             : modbus_read_input_registers(ctx_, request.address, count, result.registers.data());
  }
  if (rc != -1) {
    breaker_.on_answer(request.unit);
    result.ok = true;
    return;
  }
  const int error = errno;
  // Built only here: a string per successful read is measurable at 20k reads/s.
  const std::string where = this->where(request);
  result.registers.clear();
  result.bits.clear();
  if (error == ETIMEDOUT) {
    breaker_.on_timeout(request.unit, Clock::now());
    result.timeout = true;
    result.error =
        where + "no answer within " + duration_text(bus_.timeout) + " " + action_text(request);
    // A late answer must not be taken for the next request's.
    modbus_flush(ctx_);
  } else if (is_exception(error)) {
    breaker_.on_answer(request.unit);  // an exception is an answer: the slave is alive
    result.exception = error - MODBUS_ENOBASE;
    const std::string code = "exception " + std::to_string(result.exception);
    std::string text = exception_text(result.exception);
    // exception_text() falls back to "exception N" for codes it has no name for.
    if (text != code) text += " (" + code + ")";
    result.error =
        where + text + " " + action_text(request) + std::string(exception_hint(result.exception));
  } else if (is_link_error(error)) {
    down_reason_ = error_text(error);
    disconnect();
    // The next request reconnects at once; only failed connects back off.
    retry_at_ = Clock::now();
    result.error =
        where + "connection lost (" + down_reason_ + ") " + action_text(request) + "; reconnecting";
  } else {
    std::string text = error_text(error);
    if (!frame_problem_.empty()) text = "invalid answer (" + std::string(frame_problem_) + ")";
    result.error = where + text + " " + action_text(request);
    modbus_flush(ctx_);
  }
}

// A Modbus TCP read, framed here with our own transaction id and sent straight on
// libmodbus's socket; libmodbus then reads the answer (with its response timeout) and the
// answer is checked against the request. Between the two the result held back by run()
// is handed over. Returns the count read, or -1 with errno set as libmodbus would.
int Transaction::tcp_read(const Request& request, Result& result) {
  const std::uint8_t function = read_function(request.table);
  const std::uint16_t transaction = ++last_transaction_;
  const auto frame =
      tcp_read_request(transaction, request.unit, function, request.address, request.count);
  const auto sent = ::send(modbus_get_socket(ctx_), frame.data(), frame.size(), MSG_NOSIGNAL);
  if (sent != static_cast<ssize_t>(frame.size())) {
    // Part of a frame on the wire (or none, with a full send buffer): only a new connection
    // gets the device back in step.
    if (sent >= 0 || errno == EAGAIN || errno == EWOULDBLOCK) errno = EPIPE;
    return -1;
  }
  if (on_sent_) on_sent_();
  std::uint8_t answer[MODBUS_TCP_MAX_ADU_LENGTH];
  const int length = receive_answer(transaction, answer);
  if (length == -1) return -1;
  const std::span<const std::uint8_t> adu(answer, static_cast<std::size_t>(length));
  // The unit byte is not checked: like libmodbus, roomd accepts TCP devices that answer
  // with another unit id. The transaction id is, so a late answer is never taken for this one.
  const auto header = parse_mbap(adu);
  auto parsed = parse_tcp_read_response(adu, transaction, header ? header->unit : request.unit,
                                        function, request.count);
  if (parsed.error == FrameError::exception) {
    const bool known = parsed.exception >= MODBUS_EXCEPTION_ILLEGAL_FUNCTION &&
                       parsed.exception <= MODBUS_EXCEPTION_GATEWAY_TARGET;
    errno = known ? MODBUS_ENOBASE + parsed.exception : EMBBADEXC;
    return -1;
  }
  if (!parsed.ok()) {
    frame_problem_ = to_string(parsed.error);
    errno = EMBBADDATA;
    return -1;
  }
  // The parsed vectors become the result: one allocation per read, on the worker.
  result.registers = std::move(parsed.registers);
  result.bits = std::move(parsed.bits);
  return request.count;
}

// Reads the answer to `transaction` into `answer`, skipping late answers to earlier
// requests (those that timed out), which would otherwise each be taken for the next
// request's and keep the bus one answer behind. Waits at most the response timeout in all.
int Transaction::receive_answer(std::uint16_t transaction, std::uint8_t* answer) {
  const auto deadline = Clock::now() + bus_.timeout;
  bool shortened = false;
  int length = -1;
  for (int skipped = 0;; ++skipped) {
    length = modbus_receive_confirmation(ctx_, answer);
    if (length < static_cast<int>(kMbapHeaderLength)) break;
    set_mbap_length(std::span(answer, static_cast<std::size_t>(length)));
    const auto behind = static_cast<std::uint16_t>(
        transaction - mbap_transaction(std::span(answer, static_cast<std::size_t>(length))));
    if (behind == 0 || behind > kLateAnswerWindow || skipped == kMaxLateAnswers) break;
    const auto left = std::chrono::duration_cast<Micros>(deadline - Clock::now());
    if (left.count() <= 0) {
      length = -1;
      errno = ETIMEDOUT;
      break;
    }
    set_response_timeout(left);
    shortened = true;
  }
  if (shortened) {
    const int error = errno;
    set_response_timeout(bus_.timeout);
    errno = error;
  }
  return length;
}

void Transaction::set_response_timeout(Micros timeout) {
  const auto us = std::max<long long>(timeout.count(), 1000);
  modbus_set_response_timeout(ctx_, static_cast<std::uint32_t>(us / 1000000),
                              static_cast<std::uint32_t>(us % 1000000));
}

bool Transaction::ensure_connected() {
  if (ctx_ != nullptr) return true;
  if (Clock::now() < retry_at_) return false;
  if (connect()) {
    backoff_.reset();
    return true;
  }
  retry_at_ = Clock::now() + backoff_.next_delay();
  return false;
}

bool Transaction::connect() {
  std::string path;
  if (tcp_) {
    ctx_ = modbus_new_tcp_pi(tcp_->host.c_str(), std::to_string(tcp_->port).c_str());
  } else {
    path = resolver_ ? resolver_(rtu_->port) : rtu_->port.path;
    if (path.empty()) {
      down_reason_ = "port not found";
      return false;
    }
    ctx_ = modbus_new_rtu(path.c_str(), rtu_->line.baud, parity_letter(rtu_->line.parity),
                          rtu_->line.data_bits, rtu_->line.stop_bits);
  }
  if (ctx_ == nullptr) {
    down_reason_ = error_text(errno);
    return false;
  }
  set_response_timeout(bus_.timeout);
  if (modbus_connect(ctx_) == -1) {
    const int error = errno;
    down_reason_ = error_text(error);
    // A port named by USB identity: say which device it resolved to.
    if (rtu_ && path != rtu_->port.path) down_reason_ = path + ": " + down_reason_;
    if (rtu_ && error == EACCES) down_reason_ += "; is roomd's user in the dialout group?";
    modbus_free(ctx_);
    ctx_ = nullptr;
    return false;
  }
  connected_ = true;
  return true;
}

void Transaction::disconnect() {
  if (ctx_ == nullptr) return;
  modbus_close(ctx_);
  modbus_free(ctx_);
  ctx_ = nullptr;
  connected_ = false;
}

}  // namespace roomd::modbus
