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
  const auto found = std::find(watchers_.begin(), watchers_.end(), &watcher);
  if (found == watchers_.end()) return;
  if (delivering_)
    *found = nullptr;  // the delivery's loop holds the vector; it erases the gap after
  else
    watchers_.erase(found);
  if (std::all_of(watchers_.begin(), watchers_.end(), [](auto* w) { return w == nullptr; }))
    history_.reset();
}

void DasFeed::deliver(const DasChange& change) {
  DasSubjectTexts texts;
  delivering_ = true;
  // By index: a watcher added meanwhile is told too; one removed is skipped.
  for (std::size_t i = 0; i < watchers_.size(); ++i)
    if (watchers_[i]) watchers_[i]->on_change(change, texts);
  delivering_ = false;
  std::erase(watchers_, nullptr);
}

}  // namespace roomd
