// Every status change, once, to each DAS session subscribed to its module: one history
// listener for all of them, moved onto the API strand in the history's order. A change's
// subject_update is built once per system and kind of key (with or without its track),
// however many clients get it.
#pragma once

#include "uplink/core/request_core.hpp"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace roomd {

struct DasChange {
  std::string module_id;
  std::string name;
  HistoryPoint point;
};

// The subject_update texts of one change, by system and by whether they carry a track.
class SubjectTexts {
 public:
  template <class Build>
  const std::string& get(const std::string& sys, bool track, Build&& build) {
    auto key = std::make_pair(sys, track);
    auto found = texts_.find(key);
    if (found == texts_.end()) found = texts_.emplace(std::move(key), build()).first;
    return found->second;
  }

 private:
  std::map<std::pair<std::string, bool>, std::string> texts_;
};

class DasWatcher {
 public:
  // On the API strand, in the order the changes were recorded.
  virtual void on_change(const DasChange& change, SubjectTexts& texts) = 0;

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

  std::vector<DasWatcher*> watchers_;
  Subscription history_;
};

}  // namespace roomd
