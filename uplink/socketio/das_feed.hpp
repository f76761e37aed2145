// Every status change, once, to each DAS session subscribed to its module: one history
// listener for all of them, moved onto the API strand in the history's order, with each
// subject_update built once however many clients get it (DasSubjectTexts).
#pragma once

#include "uplink/core/request_core.hpp"
#include "uplink/socketio/das_subject_texts.hpp"

#include <memory>
#include <string>
#include <vector>

namespace roomd {

struct DasChange {
  std::string module_id;
  std::string name;
  HistoryPoint point;
};

class DasWatcher {
 public:
  // On the API strand, in the order the changes were recorded.
  virtual void on_change(const DasChange& change, DasSubjectTexts& texts) = 0;

 protected:
  ~DasWatcher() = default;
};

class DasFeed : public std::enable_shared_from_this<DasFeed> {
 public:
  // On the strand. The history is followed while anyone watches.
  void add(RequestCore& core, DasWatcher& watcher);
  void remove(DasWatcher& watcher);
  std::size_t watchers() const { return watchers_.size(); }

 private:
  void deliver(const DasChange& change);

  std::vector<DasWatcher*> watchers_;  // null: removed during a delivery, erased after it
  bool delivering_ = false;
  Subscription history_;
};

}  // namespace roomd
