// The DAS dialect on one Socket.IO connection (dialects.md "DAS"): the authorization first and
// in time, then subscribe, unsubscribe and exec answered with resp_id and status, and a
// subject_update for every change of a subscribed module (with its track for operators).
#pragma once

#include "base/json.hpp"
#include "uplink/core/client.hpp"
#include "uplink/socketio/das_feed.hpp"
#include "uplink/socketio/socketio_session.hpp"

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace roomd {

struct ApiContext;

class DasSession final : public SocketIoApp, public DasWatcher, private NotifySink {
 public:
  DasSession(std::shared_ptr<ApiContext> api, std::shared_ptr<DasFeed> feed, SocketIoOutput& out,
             Executor executor, Duration auth_window);
  ~DasSession() override;

  // SocketIoApp
  void on_message(const Json& message) override;
  void on_refused(const std::string& why) override;
  void close() override;

  // DasWatcher
  void on_change(const DasChange& change, DasSubjectTexts& texts) override;

 private:
  // A subscribed module, as one system lists it.
  struct Subject {
    std::string sys;
    std::string module_id;
    std::string name;  // "Display_1"
    std::string driver;
  };

  void authorize(const Json& id, const Json& message);
  void refuse_authorization(const Json& id, std::string_view type, const std::string& why);
  void subscribe(const Json& id, const Json& message);
  void unsubscribe(const Json& id, const Json& message);
  void exec(const Json& id, const Json& message);
  // {"type": "resp_<type>", "resp_id": id, "status": {code, message}} with `extra`'s members.
  void answer(std::string_view type, const Json& id, int code, const std::string& message,
              Json extra = Json::object());
  // `change` null: the subject as it is now, with nothing changed (after a subscribe).
  std::string subject_update(const Subject& subject, const DasChange* change);

  // Client's notify sink: DAS binds nothing, it follows the history.
  void notify(Binding&, const SharedText&) override {}
  void forget(Binding&) override {}

  std::shared_ptr<ApiContext> api_;
  std::shared_ptr<DasFeed> feed_;
  SocketIoOutput& out_;
  Executor executor_;
  boost::asio::steady_timer auth_timer_;
  std::shared_ptr<Client> client_;                // set once authorized
  bool track_ = false;                            // operator and admin keys get each change's track
  std::set<std::string> systems_;                 // subscribed
  std::multimap<std::string, Subject> subjects_;  // by module id
  bool watching_ = false;
  // Exec answers check it: the session may be gone by the time a device answered.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool closed_ = false;
};

}  // namespace roomd
