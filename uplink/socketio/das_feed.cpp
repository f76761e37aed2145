#include "uplink/socketio/das_feed.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace roomd {

void DasFeed::add(RequestCore& core, DasWatcher& watcher) {
  if (std::find(watchers_.begin(), watchers_.end(), &watcher) != watchers_.end()) return;
  watchers_.push_back(&watcher);
  if (history_) return;
  // Runs on the setter's thread under the history's lock: only copy and post.
  history_ = core.subscribe_history(
      [weak = weak_from_this(), strand = core.strand](
          std::string_view module_id, std::string_view name, const HistoryPoint& point) {
        asio::post(strand,
                   [weak, change = DasChange{std::string(module_id), std::string(name), point}] {
                     if (auto self = weak.lock()) self->deliver(change);
                   });
      });
}

void DasFeed::remove(DasWatcher& watcher) {
  std::erase(watchers_, &watcher);
  if (watchers_.empty()) history_.reset();
}

void DasFeed::deliver(const DasChange& change) {
  SubjectTexts texts;
  // A copy: a watcher may leave while it is being told.
  const auto watchers = watchers_;
  for (auto* watcher : watchers)
    if (std::find(watchers_.begin(), watchers_.end(), watcher) != watchers_.end())
      watcher->on_change(change, texts);
}

}  // namespace roomd
