// One OpenFrame client on /v1/ws (dialects.md "OpenFrame"): checks the key the upgrade
// carried (AUTH_ERROR and close 1008 without a valid one), keeps the client's topics with
// their filters, and turns what the request core shows (modules' `connected`, the alert
// book, the box's health) into device_update, alert_created and system_status events.
#pragma once

#include "base/asio.hpp"
#include "uplink/core/alert_feed.hpp"
#include "uplink/core/client.hpp"
#include "uplink/http/ws_dialect.hpp"
#include "uplink/openframe/host_metrics.hpp"
#include "uplink/openframe/openframe_request.hpp"

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace roomd::openframe {

// What every session of the front-end shares, on the API strand.
struct SharedState {
  HostMetrics host;
  // Unix seconds a module was last seen online, by module id, since roomd started.
  std::map<std::string, double, std::less<>> last_seen;
};

class OpenFrameSession final : public WsDialect, public NotifySink {
 public:
  OpenFrameSession(const WsOpening& opening, Duration status_every,
                   std::shared_ptr<SharedState> shared);
  ~OpenFrameSession() override;
  OpenFrameSession(const OpenFrameSession&) = delete;
  OpenFrameSession& operator=(const OpenFrameSession&) = delete;

  // WsDialect
  void on_text(std::string_view text) override;
  void on_binary() override;
  void close() override;

  // NotifySink: a module's `connected` changed.
  void notify(Binding& binding, const SharedText& value) override;
  void forget(Binding& binding) override;

 private:
  struct Device {
    std::string id;
    std::string name;                  // in its first system: "Display_1"
    std::string system;                // the first system listing it (that the key sees)
    std::vector<std::string> systems;  // every system listing it that the key sees
    Target target;
    bool online = false;
  };

  void refuse_key(const WsOpening& opening);
  void subscribe(const Request& request);
  void unsubscribe(const Request& request);
  void confirm();
  void send_error(const char* code, const std::string& message);
  void send_event(const char* event, TopicId topic, const Json& data);

  std::vector<Device> visible_devices() const;
  void watch_devices();
  void send_device(const Device& device);
  bool passes(const Device& device) const;

  void watch_alerts();
  void on_alert(const AlertView& alert);

  void send_status();
  void schedule_status();

  std::shared_ptr<ApiContext> api_;
  WsOutput& out_;
  std::shared_ptr<SharedState> shared_;
  Duration status_every_;
  bool envelope_ = false;              // ?envelope=event
  std::shared_ptr<Client> client_;     // null when the key was refused
  std::map<TopicId, Filters> topics_;  // subscribed, with their filters
  std::vector<Device> devices_;        // while `devices` is subscribed
  std::map<const Binding*, std::size_t> device_of_;
  Subscription alerts_;
  asio::steady_timer status_timer_;
  // The timer's handler holds it weakly: it does nothing once the session is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  bool closed_ = false;
};

}  // namespace roomd::openframe
