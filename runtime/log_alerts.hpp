// Log records at error or fatal as alerts: `log/<module id>` (high; critical once a fatal
// was logged), one per module however noisy it is, cleared after a quiet period with no
// further error from that module. The runtime's own records go under `log/roomd`.
#pragma once

#include "base/asio.hpp"
#include "runtime/alert_book.hpp"
#include "runtime/alert_subjects.hpp"
#include "runtime/log.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>

namespace roomd {

class LogAlerts {
 public:
  LogAlerts(asio::io_context& io, AlertBook& book, LogHub& logs, const AlertSubjects& subjects,
            Duration quiet);
  ~LogAlerts();
  LogAlerts(const LogAlerts&) = delete;
  LogAlerts& operator=(const LogAlerts&) = delete;

  void set_quiet(Duration quiet);

 private:
  struct Core;
  std::shared_ptr<Core> core_;
  Subscription tap_;
};

}  // namespace roomd
