#include "transports/modbus_bus_worker.hpp"

#include "base/units.hpp"

#include "transports/backoff.hpp"
#include "transports/host_port.hpp"
#include "transports/modbus_breaker.hpp"
#include "transports/modbus_frame.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <modbus.h>
#include <sched.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <utility>

namespace roomd::modbus {

namespace {

using Micros = std::chrono::microseconds;

// Above 19200 baud the standard fixes the inter-frame silence at 1750 us instead of 3.5
// character times.
constexpr int kFastBaud = 19200;
constexpr Micros kFastBaudGap{1750};

// How long the worker keeps looking for the next request before it sleeps on the condition
// variable. A caller with one request in flight submits the next one a few microseconds after
// its result arrives; catching it awake saves a futex wake-up and a reschedule per request
// (measured with bench/modbus_bench.cpp). Only with more than one CPU: on one, spinning only
// delays the thread it waits for.
constexpr Micros kSpinBeforeSleep{60};

// Late Modbus TCP answers skipped while waiting for the current one: only answers to the last
// few transactions count as late, and only a few of them, so a device that answers with
// transaction ids of its own is not waited on to the timeout.
constexpr std::uint16_t kLateAnswerWindow = 16;
constexpr int kMaxLateAnswers = 4;
constexpr int kMaxSpinMisses = 6;

// CPUs the calling thread may run on, which the worker inherits: fewer than the machine has
// when systemd's CPUAffinity= or taskset confines roomd.
unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
  return std::thread::hardware_concurrency();
}

// Tells the CPU this is a spin-wait: the sibling hyperthread gets the core, less power.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield");
#endif
}

// One request from submit() to its caller's handler. Kept in std::list nodes that are spliced
// from queue to worker to outbox, so the worker thread allocates nothing per request: the node
// is made and freed on the caller's thread.
struct Job {
  Request request;
  Executor executor;
  std::function<void(Result)> done;
  Result result;
};
using Jobs = std::list<Job>;

// What the callers, the worker and the posted result handlers share. Kept apart from Impl
// because a posted handler may run after the bus is gone.
struct Shared {
  std::mutex mutex;
  std::condition_variable wake;
  Jobs urgent;  // exec and writes
  Jobs polls;
  bool stopping = false;
  bool worker_waiting = false;  // the worker sleeps on `wake`: a submit must notify it
  // Finished jobs not yet handed to their callers, and whether a Drain that hands them over
  // is already posted. Results that finish while the callers' thread is busy join that Drain
  // instead of posting one each.
  Jobs outbox;
  bool drain_posted = false;
  // urgent.size() + polls.size(), written under `mutex`. The worker reads it without the lock
  // only to decide whether to keep spinning; whether to run or sleep is decided again under
  // `mutex`, so a stale value costs one more spin or an early sleep, never a lost request.
  // Relaxed order is enough for that.
  std::atomic<std::size_t> queued{0};
};

void post_result(Job& job) {
  boost::asio::post(job.executor,
                    [done = std::move(job.done), result = std::move(job.result)]() mutable {
                      done(std::move(result));
                    });
}

// Hands the outbox to the callers, each through its own executor: the worker never runs
// caller code. One Drain at a time: the next is posted only once this one has handed over
// everything it took, so each caller's results reach its strand in the order they finished,
// whichever thread runs the Drain.
class Drain {
 public:
  Drain(std::shared_ptr<Shared> shared, Executor here)
      : shared_(std::move(shared)), here_(std::move(here)) {}
  Drain(Drain&&) = default;
  Drain& operator=(Drain&&) = delete;
  ~Drain() {
    if (!shared_) return;
    // Never run (its io_context was shut down): the results go with it, as posted handlers
    // would have.
    Jobs dropped;
    std::lock_guard lock(shared_->mutex);
    dropped.swap(shared_->outbox);
    shared_->drain_posted = false;
  }

  void operator()() {
    auto shared = std::move(shared_);
    Jobs batch;
    {
      std::lock_guard lock(shared->mutex);
      batch.swap(shared->outbox);
    }
    try {
      while (!batch.empty()) {
        // Out of the batch first, so the catch below never sees a handed-over job.
        Jobs one;
        one.splice(one.end(), batch, batch.begin());
        Job& job = one.front();
        // Runs the handler here when its strand is free (this is the strand's own io_context
        // thread), so the coroutine waiting for the result resumes without a second trip
        // through the event loop.
        boost::asio::dispatch(
            job.executor, [done = std::move(job.done), result = std::move(job.result)]() mutable {
              done(std::move(result));
            });
      }
    } catch (...) {
      // A handler threw out of its executor: the results after it still arrive, in order.
      for (auto& job : batch) post_result(job);
      next(shared);
      throw;
    }
    next(shared);
  }

 private:
  // Results that finished meanwhile go in a fresh Drain at the back of the queue, so a busy
  // bus cannot keep the event loop in this one.
  void next(const std::shared_ptr<Shared>& shared) {
    {
      std::lock_guard lock(shared->mutex);
      shared->drain_posted = !shared->outbox.empty();
      if (!shared->drain_posted) return;
    }
    boost::asio::post(here_, Drain(shared, here_));
  }

  std::shared_ptr<Shared> shared_;
  Executor here_;
};

// Where a Drain for `executor` runs: a module's strand hands results over from its io_context
// (Drain dispatches into the strand), which makes the worker's post a plain io_context post
// instead of a trip through the strand's queue.
Executor drain_executor(const Executor& executor) {
  if (const auto* strand = executor.target<boost::asio::strand<Executor>>()) {
    return strand->get_inner_executor();
  }
  return executor;
}

// Moves finished `jobs` to the outbox; call with shared.mutex held. Returns where to post a
// Drain (after unlocking) when none is on its way yet.
std::optional<Executor> to_outbox(Shared& shared, Jobs& jobs) {
  if (jobs.empty()) return std::nullopt;
  const bool post = !std::exchange(shared.drain_posted, true);
  std::optional<Executor> executor;
  if (post) executor = drain_executor(jobs.front().executor);
  shared.outbox.splice(shared.outbox.end(), jobs);
  return executor;
}

void post_drain(const std::shared_ptr<Shared>& shared, std::optional<Executor> executor) {
  if (executor) boost::asio::post(*executor, Drain(shared, *executor));
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
    Jobs job;
    job.push_back({std::move(request), std::move(executor), std::move(done), {}});
    const Request& r = job.front().request;
    if (std::string problem = request_problem(r); !problem.empty()) {
      // Caught here, without touching the bus or waiting behind other requests.
      fail(job, where(r) + problem);
      return;
    }
    if (!r.write && !tcp) {
      // Sized here, on the caller's thread, which also frees it: the worker only fills it.
      // (TCP reads take the vectors their answer was parsed into instead.)
      Result& result = job.front().result;
      if (is_bit_table(r.table)) {
        result.bits.reserve(r.count);
      } else {
        result.registers.reserve(r.count);
      }
    }
    const bool poll = r.poll;
    bool notify = false;
    {
      std::lock_guard lock(shared->mutex);
      if (!shared->stopping) {
        auto& queue = poll ? shared->polls : shared->urgent;
        queue.splice(queue.end(), job);
        shared->queued.store(shared->urgent.size() + shared->polls.size(),
                             std::memory_order_relaxed);
        // A worker that is awake (busy, spinning or waiting out the gap) finds the request
        // when it next looks at the queues; only a sleeping one needs the futex wake-up.
        notify = std::exchange(shared->worker_waiting, false);
      }
    }
    // Outside the lock, so the worker does not wake only to block on the mutex.
    if (notify) shared->wake.notify_one();
    if (job.empty()) return;  // queued
    fail(job,
         where(job.front().request) + "bus stopped before " + action_text(job.front().request));
  }

  void request_stop() {
    std::lock_guard lock(shared->mutex);
    shared->stopping = true;
    shared->wake.notify_one();
  }

  void join() {
    std::lock_guard lock(join_mutex);
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  }

  bool is_stopping() const {
    std::lock_guard lock(shared->mutex);
    return shared->stopping;
  }

  // --- worker thread ---

  void run() {
    auto& s = *shared;
    Jobs current;  // the job being run, outside every queue
    std::unique_lock lock(s.mutex);
    while (true) {
      if (!s.stopping && s.urgent.empty() && s.polls.empty()) {
        lock.unlock();
        spin_for_work();
        lock.lock();
        while (!s.stopping && s.urgent.empty() && s.polls.empty()) {
          s.worker_waiting = true;
          s.wake.wait(lock);
        }
        s.worker_waiting = false;
      }
      if (s.stopping) break;
      // The gap is waited before choosing the next request, so an exec that arrives during
      // the gap still goes before the poll that was waiting.
      if (gap.count() > 0 && last_frame_end &&
          s.wake.wait_until(lock, *last_frame_end + gap, [&s] { return s.stopping; })) {
        break;
      }
      auto& queue = s.urgent.empty() ? s.polls : s.urgent;
      current.splice(current.end(), queue, queue.begin());
      s.queued.store(s.urgent.size() + s.polls.size(), std::memory_order_relaxed);
      lock.unlock();
      run_one(current.front());
      post_held_drain();  // if the request did not already
      lock.lock();
      // The queue lock is taken here anyway to pick the next request; the result rides on it.
      if (auto drain_to = to_outbox(s, current)) {
        if (next_overlaps(s)) {
          // Posted once the next request is on the wire: waking the event loop's thread
          // costs the poster several microseconds, which then overlap the device's answer.
          held_drain = std::move(drain_to);
        } else {
          lock.unlock();
          post_drain(shared, std::move(drain_to));
          lock.lock();
        }
      }
    }
    lock.unlock();
    post_held_drain();
    lock.lock();
    Jobs left;
    left.splice(left.end(), s.urgent);
    left.splice(left.end(), s.polls);
    s.queued.store(0, std::memory_order_relaxed);
    lock.unlock();
    for (auto& job : left) {
      job.result = failure(where(job.request) + "bus stopped before " + action_text(job.request));
    }
    fail_all(left);
    disconnect();
  }

  // Spins until a request is queued or kSpinBeforeSleep passes. A spin that finds nothing is
  // CPU taken from the threads that would produce the next request (on a loaded machine, or
  // with a caller that pauses between requests), so after each miss the worker sleeps through
  // more idle moments without spinning (twice as many each time, at most 63); a hit starts
  // over.
  void spin_for_work() {
    if (!spin) return;
    if (spin_skip > 0) {
      --spin_skip;
      return;
    }
    const auto until = Clock::now() + kSpinBeforeSleep;
    for (unsigned i = 1;; ++i) {
      if (shared->queued.load(std::memory_order_relaxed) != 0) {
        spin_misses = 0;
        return;
      }
      cpu_relax();
      // The clock is read every few pauses only: it costs more than the load.
      if (i % 16 == 0 && Clock::now() >= until) break;
    }
    spin_misses = std::min(spin_misses + 1, kMaxSpinMisses);
    spin_skip = (1 << spin_misses) - 1;
  }

  // Whether the request that runs next sends its frame before it waits (see tcp_read), so a
  // result held back until then reaches its caller without delay. Call with shared.mutex held.
  bool next_overlaps(const Shared& s) const {
    const Jobs& queue = s.urgent.empty() ? s.polls : s.urgent;
    return tcp && ctx != nullptr && gap.count() == 0 && !s.stopping && !queue.empty() &&
           !queue.front().request.write;
  }

  void post_held_drain() {
    if (held_drain) post_drain(shared, std::exchange(held_drain, std::nullopt));
  }

  void run_one(Job& job) {
    const Request& request = job.request;
    if (!ensure_connected()) {
      job.result = failure(description + ": not connected (" + down_reason + ")" + connect_hint);
      return;
    }
    if (!breaker.admit(request.unit, request.poll, Clock::now())) {
      job.result = failure(description + " unit " + std::to_string(request.unit) +
                           " is not answering; polled every " + duration_text(breaker.retry()) +
                           " until it answers");
      return;
    }
    transact(request, job.result);
    last_frame_end = Clock::now();
  }

  static Result failure(std::string error) {
    Result result;
    result.error = std::move(error);
    return result;
  }

  // Fills `result`, which comes empty (its vectors perhaps reserved).
  void transact(const Request& request, Result& result) {
    frame_problem = {};
    if (modbus_set_slave(ctx, request.unit) == -1) {
      result.error = where(request) + "invalid unit id for this bus " + action_text(request);
      return;
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
    } else if (tcp) {
      rc = tcp_read(request, result);
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
      return;
    }
    const int error = errno;
    // Built only here: a string per successful read is measurable at 20k reads/s.
    const std::string where = this->where(request);
    result.registers.clear();
    result.bits.clear();
    if (error == ETIMEDOUT) {
      breaker.on_timeout(request.unit, Clock::now());
      result.timeout = true;
      result.error =
          where + "no answer within " + duration_text(bus.timeout) + " " + action_text(request);
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
      std::string text = error_text(error);
      if (!frame_problem.empty()) text = "invalid answer (" + std::string(frame_problem) + ")";
      result.error = where + text + " " + action_text(request);
      modbus_flush(ctx);
    }
  }

  // A Modbus TCP read, framed here with our own transaction id and sent straight on
  // libmodbus's socket; libmodbus then reads the answer (with its response timeout) and the
  // answer is checked against the request. Between the two the result held back by run()
  // is handed over. Returns the count read, or -1 with errno set as libmodbus would.
  int tcp_read(const Request& request, Result& result) {
    const std::uint8_t function = read_function(request.table);
    const std::uint16_t transaction = ++last_transaction;
    const std::array<std::uint8_t, kMbapHeaderLength + 5> frame = {
        high(transaction),
        low(transaction),
        0,
        0,
        0,
        6,
        static_cast<std::uint8_t>(request.unit),
        function,
        high(request.address),
        low(request.address),
        high(request.count),
        low(request.count)};
    const auto sent = ::send(modbus_get_socket(ctx), frame.data(), frame.size(), MSG_NOSIGNAL);
    if (sent != static_cast<ssize_t>(frame.size())) {
      // Part of a frame on the wire (or none, with a full send buffer): only a new connection
      // gets the device back in step.
      if (sent >= 0 || errno == EAGAIN || errno == EWOULDBLOCK) errno = EPIPE;
      return -1;
    }
    post_held_drain();
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
      frame_problem = to_string(parsed.error);
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
  int receive_answer(std::uint16_t transaction, std::uint8_t* answer) {
    const auto deadline = Clock::now() + bus.timeout;
    bool shortened = false;
    int length = -1;
    for (int skipped = 0;; ++skipped) {
      length = modbus_receive_confirmation(ctx, answer);
      if (length < static_cast<int>(kMbapHeaderLength)) break;
      // libmodbus sizes an answer by its function code and never reads the MBAP length;
      // roomd checks the length it read, so a device that fills the field wrongly still
      // works, as it did with libmodbus.
      const auto pdu_length = static_cast<std::uint16_t>(length - (kMbapHeaderLength - 1));
      answer[4] = high(pdu_length);
      answer[5] = low(pdu_length);
      const auto behind = static_cast<std::uint16_t>(transaction - ((answer[0] << 8) | answer[1]));
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
      set_response_timeout(bus.timeout);
      errno = error;
    }
    return length;
  }

  void set_response_timeout(Micros timeout) {
    const auto us = std::max<long long>(timeout.count(), 1000);
    modbus_set_response_timeout(ctx, static_cast<std::uint32_t>(us / 1000000),
                                static_cast<std::uint32_t>(us % 1000000));
  }

  static std::uint8_t read_function(Table table) {
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
  static std::uint8_t high(std::uint16_t v) { return static_cast<std::uint8_t>(v >> 8); }
  static std::uint8_t low(std::uint16_t v) { return static_cast<std::uint8_t>(v & 0xFF); }

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
    set_response_timeout(bus.timeout);
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

  // For a request that never reaches the worker's transaction; any thread.
  void fail(Jobs& job, std::string error) {
    job.front().result = failure(std::move(error));
    fail_all(job);
  }

  // Hands over `jobs`, whose results are set.
  void fail_all(Jobs& jobs) {
    std::optional<Executor> drain_to;
    {
      std::lock_guard lock(shared->mutex);
      drain_to = to_outbox(*shared, jobs);
    }
    post_drain(shared, std::move(drain_to));
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

  const std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  const bool spin = usable_cpus() > 1;
  std::atomic<bool> is_connected{false};

  // Worker thread only.
  modbus_t* ctx = nullptr;
  Backoff backoff;
  Clock::time_point retry_at{};
  std::string down_reason = "not tried yet";
  std::optional<Clock::time_point> last_frame_end;
  std::optional<Executor> held_drain;  // a Drain to post once the next request is sent
  std::uint16_t last_transaction = 0;  // of tcp_read's frames
  std::string_view frame_problem;      // why tcp_read refused an answer
  int spin_misses = 0;                 // spins in a row that found no request
  int spin_skip = 0;                   // idle moments left to sleep through without spinning

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
