// The `System` module of a room: a logic driver (no transport) that powers the room's
// displays and projectors, routes the switcher and picks display inputs for a source, and
// sets room volume and mute, all through the runtime's call/watch on its peers.
#pragma once

#include "drivers/room/room_settings.hpp"
#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/driver_info.hpp"
#include "runtime/sdk/methods.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace roomd::room {

class Room final : public Driver {
 public:
  static DriverInfo info();
  static void expose(Methods<Room>& m);

  // Each returns {"ok": [device, ...], "failed": {device: reason}}; RequestFailed when
  // every device failed.
  Task<Json> power(bool on);
  Task<Json> present(std::string source, std::optional<std::string> output);
  Task<Json> volume(int level);
  Task<Json> mute(bool on);

  Task<void> on_load() override;
  Task<void> on_update() override;
  void on_unload() override;

  enum class Kind { display, projector, switcher, other };

  struct Device {
    std::string key;  // "Display_1"
    std::string name;
    int index = 0;
    std::string module_id;
    std::string driver;
    Kind kind = Kind::other;
    bool connected = false;
  };

  // One device's share of a room action: its methods, run in order, stopping at the first
  // failure (no input switch on a display that did not power on).
  struct Step {
    std::string method;
    Json args;
  };
  struct Job {
    std::string key;
    std::string name;
    int index = 0;
    std::vector<Step> steps;
  };
  struct Batch;

 private:
  void load_settings();
  void discover_peers();
  void on_connected(const std::string& key, const Json& value);
  void publish_devices();
  std::vector<const Device*> of_kind(std::initializer_list<Kind> kinds) const;
  const Device* switcher() const;
  Task<Json> run_jobs(std::string action, std::vector<Job> jobs);
  Task<void> run_job(std::shared_ptr<Batch> batch, std::size_t slot, Job job);

  RoomSettings settings_;
  Duration call_timeout_{20000};
  bool skip_offline_ = true;
  std::vector<Device> devices_;
  std::vector<Subscription> watches_;
};

}  // namespace roomd::room
