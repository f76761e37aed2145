// The Exosite One Platform dialect on one WebSocket (dialects.md "Exosite"): the `auth`
// message first, then batches of `calls`, each answered in order in one array: `read` from the
// history, `write` through a variable's setter, and `subscribe`, which replays the history
// after `since` and then follows every new value until its timeout or `unsubscribe`.
#pragma once

#include "base/json.hpp"
#include "uplink/core/client.hpp"
#include "uplink/core/history_json.hpp"
#include "uplink/http/ws_dialect.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace roomd {

class ExositeSession final : public WsDialect {
 public:
  explicit ExositeSession(const WsOpening& opening);
  ~ExositeSession() override;

  void on_text(std::string_view text) override;
  void on_binary() override;
  void close() override;

 private:
  struct Batch;
  struct Subscribed;
  struct Watch;
  // A subscription is named by its subs_id (as JSON text) and its variable.
  using SubKey = std::pair<std::string, std::string>;

  void authenticate(const Json& message);
  void refuse_auth(const std::string& message);
  void run_calls(const Json& calls);
  // Answers one call into `batch` at `slot`, now or (a write) when the device answered.
  void run_call(const std::shared_ptr<Batch>& batch, std::size_t slot, const Json& call);
  Json read(const Json& id, const Json& args);
  void write(const std::shared_ptr<Batch>& batch, std::size_t slot, const Json& id,
             const Json& args);
  Json subscribe(const std::shared_ptr<Batch>& batch, const Json& id, const Json& args);
  Json unsubscribe(const Json& id, const Json& args);
  // Sends every finished batch at the front, in the order the messages came.
  void send_ready();
  void activate(const SubKey& key);
  void on_point(const std::string& module_id, const std::string& name, const HistoryPoint& point);
  void send_point(const Subscribed& sub, const HistoryPoint& point);
  void end_subscription(const SubKey& key);
  void send_error(int code, const std::string& message);

  std::shared_ptr<ApiContext> api_;
  std::string peer_;
  Executor executor_;
  WsOutput& out_;
  std::shared_ptr<Client> client_;  // set once authenticated
  std::deque<std::shared_ptr<Batch>> batches_;
  std::map<SubKey, std::unique_ptr<Subscribed>> subscriptions_;
  // The variables watched, read by the history's listener on the setter's thread.
  std::shared_ptr<Watch> watch_;
  Subscription history_;
  // Posted work checks it on the strand: the session may be gone by the time it runs.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool closed_ = false;
};

}  // namespace roomd
