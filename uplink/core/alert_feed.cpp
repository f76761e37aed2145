#include "uplink/core/alert_feed.hpp"

#include "runtime/alert_book.hpp"
#include "runtime/runtime.hpp"
#include "uplink/core/request_core.hpp"

#include <boost/asio/post.hpp>

#include <memory>

namespace roomd {

Subscription subscribe_alerts(RequestCore& core,
                              std::function<void(const AlertView& alert, bool raised)> listener) {
  // Read and cleared on the strand only: a handler posted before the end sees it cleared.
  auto live = std::make_shared<std::function<void(const AlertView&, bool)>>(std::move(listener));
  auto book = core.runtime.alerts().subscribe(
      [live, strand = core.strand](const Alert& alert, bool raised) {
        AlertView view{alert.id,     alert.title, to_string(alert.severity),
                       alert.module, alert.sys,   alert.raised_at};
        asio::post(strand, [live, view = std::move(view), raised] {
          if (*live) (*live)(view, raised);
        });
      });
  return Subscription([live, book = std::make_shared<Subscription>(std::move(book))] {
    book->reset();
    *live = nullptr;
  });
}

}  // namespace roomd
