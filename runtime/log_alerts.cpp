#include "runtime/log_alerts.hpp"

#include "base/text.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <map>
#include <mutex>

namespace roomd {

// The map is guarded by the mutex (records come from any thread); the book is raised and
// cleared on the strand only, never from inside a log call: a book listener that logs an
// error must not find the book's lock held by its own thread.
struct LogAlerts::Core : std::enable_shared_from_this<Core> {
  Core(asio::io_context& io, AlertBook& book, const AlertSubjects& subjects, Duration quiet)
      : strand(asio::make_strand(io)), book(book), subjects(subjects), quiet(quiet) {}

  struct Noisy {
    std::shared_ptr<asio::steady_timer> timer;
    Clock::time_point last;
    bool fatal = false;
  };

  static std::string alert_id(std::string_view module_id) {
    return "log/" + std::string(module_id);
  }

  // On the logging thread: a timestamp for a module already alerting, an alert otherwise.
  void record(const LogRecord& record) {
    const bool fatal = record.level == LogLevel::fatal;
    std::string module_id(record.module_id);
    std::lock_guard lock(mutex);
    auto it = noisy.find(module_id);
    bool again = false;  // a fatal after errors: the same alert at its new severity
    if (it != noisy.end()) {
      it->second.last = Clock::now();
      if (!fatal || it->second.fatal) return;
      it->second.fatal = true;
      again = true;
    } else {
      auto timer = std::make_shared<asio::steady_timer>(strand, quiet);
      it = noisy.emplace(module_id, Noisy{timer, Clock::now(), fatal}).first;
      arm(module_id, timer);
    }
    // The system logger has no module of its own: the box itself.
    const bool box = !subjects.known(module_id);
    auto alert =
        subjects.about(box ? "" : module_id, alert_id(module_id),
                       fatal ? AlertSeverity::critical : AlertSeverity::high,
                       std::string(fatal ? "logged a fatal error: " : "logged an error: ") +
                           excerpt(record.message, 200));
    asio::post(strand, [weak = weak_from_this(), alert = std::move(alert), again] {
      auto self = weak.lock();
      if (!self) return;
      if (again) self->book.clear(alert.id);
      self->book.raise(alert);
    });
  }

  void arm(const std::string& module_id, const std::shared_ptr<asio::steady_timer>& timer) {
    timer->async_wait([weak = weak_from_this(), module_id, timer](const error_code& ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->maybe_quiet(module_id, timer);
    });
  }

  void maybe_quiet(const std::string& module_id, const std::shared_ptr<asio::steady_timer>& timer) {
    {
      std::lock_guard lock(mutex);
      auto it = noisy.find(module_id);
      if (it == noisy.end() || it->second.timer != timer) return;
      const auto quiet_since = it->second.last + quiet;
      if (Clock::now() < quiet_since) {
        timer->expires_at(quiet_since);
        arm(module_id, timer);
        return;
      }
      noisy.erase(it);
    }
    // On the strand, after the raise posted first; an error logged meanwhile raises anew after.
    book.clear(alert_id(module_id));
  }

  Executor strand;
  AlertBook& book;
  const AlertSubjects& subjects;
  std::mutex mutex;
  Duration quiet;
  std::map<std::string, Noisy, std::less<>> noisy;
};

LogAlerts::LogAlerts(asio::io_context& io, AlertBook& book, LogHub& logs,
                     const AlertSubjects& subjects, Duration quiet)
    : core_(std::make_shared<Core>(io, book, subjects, quiet)) {
  tap_ = logs.tap(LogLevel::error, [weak = std::weak_ptr<Core>(core_)](const LogRecord& record) {
    if (auto core = weak.lock()) core->record(record);
  });
}

LogAlerts::~LogAlerts() {
  tap_ = {};
  std::lock_guard lock(core_->mutex);
  for (auto& [id, noisy] : core_->noisy) noisy.timer->cancel();
  core_->noisy.clear();
}

void LogAlerts::set_quiet(Duration quiet) {
  std::lock_guard lock(core_->mutex);
  core_->quiet = quiet;
}

}  // namespace roomd
