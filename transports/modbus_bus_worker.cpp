#include "transports/modbus_bus_worker.hpp"

#include "transports/modbus_transaction.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace roomd::modbus {

namespace {

using Micros = std::chrono::microseconds;

// How long the worker keeps looking for the next request before it sleeps on the condition
// variable. A caller with one request in flight submits the next one a few microseconds after
// its result arrives; catching it awake saves a futex wake-up and a reschedule per request
// (measured with bench/modbus_bench.cpp). Only with more than one CPU: on one, spinning only
// delays the thread it waits for.
constexpr Micros kSpinBeforeSleep{60};

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

}  // namespace

struct BusWorker::Impl {
  Impl(std::optional<ModbusTcpConfig> tcp_config, std::optional<ModbusRtuConfig> rtu_config,
       PortResolver port_resolver, const ModbusBusConfig& bus_config)
      : tcp(tcp_config.has_value()),
        transaction(std::move(tcp_config), std::move(rtu_config), std::move(port_resolver),
                    bus_config),
        gap(transaction.gap()),
        thread([this] { run(); }) {
    transaction.on_sent([this] { post_held_drain(); });
  }

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
    transaction.disconnect();
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
    return transaction.sends_before_waiting() && !s.stopping && !queue.empty() &&
           !queue.front().request.write;
  }

  void post_held_drain() {
    if (held_drain) post_drain(shared, std::exchange(held_drain, std::nullopt));
  }

  void run_one(Job& job) {
    if (transaction.run(job.request, job.result)) last_frame_end = Clock::now();
  }

  std::string where(const Request& request) const { return transaction.where(request); }

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
  const bool tcp;
  Transaction transaction;
  const Transaction::Micros gap;

  const std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  const bool spin = usable_cpus() > 1;

  // Worker thread only.
  std::optional<Clock::time_point> last_frame_end;
  std::optional<Executor> held_drain;  // a Drain to post once the next request is sent
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
  return impl_->transaction.connected();
}

SlaveHealth BusWorker::health(int unit) const {
  return impl_->transaction.health(unit);
}

std::string BusWorker::describe() const {
  return impl_->transaction.description();
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
