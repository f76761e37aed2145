#include "drivers/room/room.hpp"

#include "base/units.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <set>

namespace roomd::room {

// What the devices of one room action answered. Shared with the per-device coroutines,
// which may finish after the action gave up waiting on them (call_timeout).
struct Room::Batch {
  explicit Batch(Executor executor) : wake(std::move(executor)) {}
  asio::steady_timer wake;
  std::vector<std::optional<std::string>> errors;  // per job: "" ok, text failed, unset running
  std::size_t running = 0;
  bool closed = false;  // the action returned: late answers are dropped

  void complete(std::size_t slot, std::string error) {
    if (closed || errors[slot]) return;
    errors[slot] = std::move(error);
    if (--running == 0) wake.cancel();
  }
};

namespace {

std::optional<Room::Kind> kind_named(std::string_view name) {
  if (name == "Display") return Room::Kind::display;
  if (name == "Projector") return Room::Kind::projector;
  if (name == "Switcher") return Room::Kind::switcher;
  return std::nullopt;
}

// The module's name in the system decides ("Display"); a module with a custom name
// ("LeftScreen") counts by its driver's generic name.
Room::Kind kind_of(const PeerInfo& peer) {
  if (auto kind = kind_named(peer.name)) return *kind;
  if (auto kind = kind_named(peer.generic_name)) return *kind;
  return Room::Kind::other;
}

Room::Step step(std::string method, Json args) {
  Room::Step s;
  s.method = std::move(method);
  s.args = std::move(args);
  return s;
}

std::string join_keys(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& key : keys) out += (out.empty() ? "" : ", ") + key;
  return out.empty() ? "none" : out;
}

}  // namespace

DriverInfo Room::info() {
  DriverInfo info;
  info.name = "room";
  info.description =
      "room logic: powers displays and projectors, routes the switcher to present a source, "
      "room volume and mute";
  info.generic_name = "System";
  info.transport = TransportKind::none;
  info.settings = {
      {"sources", "object", Json::object(),
       "by source name: switcher_input (integer) and inputs ({\"Display_1\": \"hdmi1\", ...})",
       false},
      {"outputs", "object", Json::object(),
       "the switcher output feeding each display: {\"Display_1\": 1, \"Projector_1\": 3}", false},
      {"call_timeout", "duration", "20s",
       "how long an action waits for each device before reporting it failed", false},
      {"skip_offline", "boolean", true,
       "fail a device at once while its module is not connected instead of calling it", false},
  };
  info.check_settings = [](const Json& settings) {
    std::vector<SettingsProblem> problems;
    parse_room_settings(settings, problems);
    return problems;
  };
  info.status = {
      {"state", "string", "off, on or presenting"},
      {"active_source", "string", "the source last presented; null when off"},
      {"routes", "object", "the source each display shows: {\"Display_1\": \"laptop\"}"},
      {"volume", "integer",
       "room volume (0-100): the switcher's as it reports it, else the last set; null until known"},
      {"mute", "boolean",
       "room mute: the switcher's as it reports it, else the last set; null until known"},
      {"sources", "array", "the source names present() takes, from settings.sources"},
      {"outputs", "object",
       "the switcher output feeding each display, from settings.outputs: {\"Display_1\": 1}"},
      {"devices", "object",
       "the other modules of the room: {\"Display_1\": {\"connected\": true, \"module\": "
       "\"mod-disp1\", \"driver\": \"...\"}}"},
  };
  return info;
}

void Room::expose(Methods<Room>& m) {
  m.method("power", &Room::power, {"on"})
      .describe("power every display and projector of the room on or off");
  m.method("present", &Room::present, {"source", Param("output", Json())})
      .describe(
          "show a source (a name from settings.sources) on every display, or on one "
          "(output: \"Display_2\"): powers on, routes the switcher, selects the display input");
  m.method("volume", &Room::volume, {Param("level", Range{0, 100})})
      .sets("volume")
      .describe("room volume 0-100: the switcher's, or every display's when there is none");
  m.method("mute", &Room::mute, {Param("on", true)})
      .sets("mute")
      .describe("room mute: the switcher's, or every display's and projector's");
}

void Room::load_settings() {
  std::vector<SettingsProblem> problems;
  Json routing = {{"sources", setting<Json>("sources")}, {"outputs", setting<Json>("outputs")}};
  auto parsed = parse_room_settings(routing, problems);
  if (!problems.empty())
    throw std::invalid_argument("settings." + problems.front().path + ": " +
                                problems.front().message);
  settings_ = std::move(parsed);
  call_timeout_ = setting_duration("call_timeout");
  skip_offline_ = setting<bool>("skip_offline");
  // Panels make one button per source from these, so they follow the settings on update.
  Json names = Json::array();
  for (const auto& [name, route] : settings_.sources) names.push_back(name);
  set_status("sources", std::move(names));
  Json outputs = Json::object();
  for (const auto& [device, output] : settings_.outputs) outputs[device] = output;
  set_status("outputs", std::move(outputs));
}

void Room::discover_peers() {
  watches_.clear();
  devices_.clear();
  for (const auto& peer : peers()) {
    Device device;
    device.key = peer.name + "_" + std::to_string(peer.index);
    device.name = peer.name;
    device.index = peer.index;
    device.module_id = peer.module_id;
    device.driver = peer.driver;
    device.kind = kind_of(peer);
    devices_.push_back(std::move(device));
  }
  publish_devices();
  for (const auto& device : devices_) {
    std::string key = device.key;
    auto on_change = [this, key](const Json& value) { on_connected(key, value); };
    watches_.push_back(watch(device.name, device.index, "connected", std::move(on_change)));
  }
  // The switcher carries the room's audio: what it reports (read at login, changed at its
  // front panel) is the room's volume and mute, not only what was last set through the room.
  if (const auto* audio = switcher()) {
    for (const char* name : {"volume", "mute"}) {
      auto on_change = [this, name](const Json& value) {
        if (!value.is_null()) set_status(name, value);
      };
      watches_.push_back(watch(audio->name, audio->index, name, std::move(on_change)));
    }
  }

  // Names in the settings that match no module are typos or modules missing from the
  // system: the room still works for the rest, so say it once at load.
  std::set<std::string> screens;
  for (const auto* device : of_kind({Kind::display, Kind::projector})) screens.insert(device->key);
  for (const auto& [device, output] : settings_.outputs)
    if (!screens.count(device))
      log().warn("settings.outputs.", device,
                 ": no display or projector of that name in this module's system (check "
                 "systems[].modules)");
  for (const auto& [name, route] : settings_.sources) {
    for (const auto& [device, input] : route.inputs)
      if (!screens.count(device))
        log().warn("settings.sources.", name, ".inputs.", device,
                   ": no display or projector of that name in this module's system");
    if (route.switcher_input && !switcher())
      log().warn("settings.sources.", name,
                 ".switcher_input: there is no Switcher in this module's system");
  }
}

Task<void> Room::on_load() {
  load_settings();
  discover_peers();
  if (status("state").is_null()) set_status("state", "off");
  if (status("active_source").is_null()) set_status("active_source", nullptr);
  // Null, not absent: a panel bound to them is told at once that they are not known yet.
  if (status("volume").is_null()) set_status("volume", nullptr);
  if (status("mute").is_null()) set_status("mute", nullptr);
  if (!status("routes").is_object()) set_status("routes", Json::object());
  co_return;
}

Task<void> Room::on_update() {
  load_settings();
  discover_peers();
  co_return;
}

void Room::on_unload() {
  watches_.clear();
}

void Room::on_connected(const std::string& key, const Json& value) {
  for (auto& device : devices_)
    if (device.key == key) device.connected = value == Json(true);
  publish_devices();
}

void Room::publish_devices() {
  Json summary = Json::object();
  for (const auto& device : devices_)
    summary[device.key] = {
        {"connected", device.connected}, {"module", device.module_id}, {"driver", device.driver}};
  set_status("devices", std::move(summary));
}

std::vector<const Room::Device*> Room::of_kind(std::initializer_list<Kind> kinds) const {
  std::vector<const Device*> out;
  for (const auto& device : devices_)
    if (std::find(kinds.begin(), kinds.end(), device.kind) != kinds.end()) out.push_back(&device);
  return out;
}

// The room has one switcher: the first in the system (Switcher_1 when named Switcher).
const Room::Device* Room::switcher() const {
  auto switchers = of_kind({Kind::switcher});
  return switchers.empty() ? nullptr : switchers.front();
}

Task<Json> Room::power(bool on) {
  std::vector<Job> jobs;
  for (const auto* device : of_kind({Kind::display, Kind::projector})) {
    Job job{device->key, device->name, device->index, {}};
    job.steps.push_back(step("power", Json{{"on", on}}));
    jobs.push_back(std::move(job));
  }
  std::string action = on ? "power(true)" : "power(false)";
  auto result = co_await run_jobs(std::move(action), std::move(jobs));
  if (!on) {
    set_status("state", "off");
    set_status("active_source", nullptr);
    set_status("routes", Json::object());
  } else if (status("state") != "presenting") {
    set_status("state", "on");
  }
  co_return result;
}

Task<Json> Room::present(std::string source, std::optional<std::string> output) {
  auto found = settings_.sources.find(source);
  if (found == settings_.sources.end()) {
    std::vector<std::string> known;
    for (const auto& [name, route] : settings_.sources) known.push_back(name);
    throw BadArguments("present: unknown source \"" + source + "\" on " + id() +
                       "; sources: " + join_keys(known) + " (settings.sources)");
  }
  const auto& route = found->second;
  auto screens = of_kind({Kind::display, Kind::projector});
  if (output) {
    std::vector<std::string> known;
    for (const auto* device : screens) known.push_back(device->key);
    auto it = std::find_if(screens.begin(), screens.end(),
                           [&](const Device* device) { return device->key == *output; });
    if (it == screens.end())
      throw BadArguments("present: unknown output \"" + *output + "\" on " + id() +
                         "; displays and projectors in this system: " + join_keys(known));
    screens = {*it};
  }

  std::vector<Job> jobs;
  std::vector<std::string> targets;
  for (const auto* device : screens) {
    Job job{device->key, device->name, device->index, {}};
    job.steps.push_back(step("power", Json{{"on", true}}));
    if (auto input = route.inputs.find(device->key); input != route.inputs.end())
      job.steps.push_back(step("switch_to", Json{{"input", input->second}}));
    jobs.push_back(std::move(job));
    targets.push_back(device->key);
  }
  if (const auto* sw = switcher(); sw && route.switcher_input) {
    Job job{sw->key, sw->name, sw->index, {}};
    for (const auto& key : targets)
      if (auto out = settings_.outputs.find(key); out != settings_.outputs.end())
        job.steps.push_back(
            step("tie", Json{{"input", *route.switcher_input}, {"output", out->second}}));
    if (!job.steps.empty()) jobs.push_back(std::move(job));
  }

  std::string action = "present(\"" + source + "\"" + (output ? ", \"" + *output + "\"" : "") + ")";
  auto result = co_await run_jobs(std::move(action), std::move(jobs));
  // A display that failed does not show the source; the switcher alone shows nothing.
  auto routes = status("routes").is_object() ? status("routes") : Json::object();
  for (const auto& key : result.at("ok"))
    if (std::find(targets.begin(), targets.end(), key.get<std::string>()) != targets.end())
      routes[key.get<std::string>()] = source;
  set_status("routes", std::move(routes));
  set_status("state", "presenting");
  set_status("active_source", source);
  co_return result;
}

Task<Json> Room::volume(int level) {
  std::vector<Job> jobs;
  auto targets = switcher() ? std::vector<const Device*>{switcher()} : of_kind({Kind::display});
  for (const auto* device : targets) {
    Job job{device->key, device->name, device->index, {}};
    job.steps.push_back(step("volume", Json{{"level", level}}));
    jobs.push_back(std::move(job));
  }
  std::string action = "volume(" + std::to_string(level) + ")";
  auto result = co_await run_jobs(std::move(action), std::move(jobs));
  set_status("volume", level);
  co_return result;
}

Task<Json> Room::mute(bool on) {
  std::vector<Job> jobs;
  auto targets = switcher() ? std::vector<const Device*>{switcher()}
                            : of_kind({Kind::display, Kind::projector});
  for (const auto* device : targets) {
    Job job{device->key, device->name, device->index, {}};
    // Named, so the PJLink projector's mute(what = "both", on) takes it as it is.
    job.steps.push_back(step("mute", Json{{"on", on}}));
    jobs.push_back(std::move(job));
  }
  std::string action = on ? "mute(true)" : "mute(false)";
  auto result = co_await run_jobs(std::move(action), std::move(jobs));
  set_status("mute", on);
  co_return result;
}

namespace {

// Marks the batch closed however the action ends, so late answers never touch the room.
struct CloseOnExit {
  std::shared_ptr<Room::Batch> batch;
  ~CloseOnExit() { batch->closed = true; }
};

}  // namespace

Task<Json> Room::run_jobs(std::string action, std::vector<Job> jobs) {
  if (jobs.empty())
    throw RequestFailed(id() + " " + action +
                        ": nothing to do: no display, projector or switcher for it in this "
                        "module's system (check systems[].modules and the module names)");
  auto batch = std::make_shared<Batch>(executor());
  CloseOnExit close{batch};
  batch->errors.resize(jobs.size());
  for (std::size_t slot = 0; slot < jobs.size(); ++slot) {
    const Device* device = nullptr;
    for (const auto& d : devices_)
      if (d.key == jobs[slot].key) device = &d;
    if (skip_offline_ && device && !device->connected) {
      batch->errors[slot] = "offline: " + device->module_id +
                            " is not connected (check the device's power and network)";
      continue;
    }
    ++batch->running;
  }
  // Every device at once: one slow display does not hold up the others.
  for (std::size_t slot = 0; slot < jobs.size(); ++slot)
    if (!batch->errors[slot])
      asio::co_spawn(executor(), run_job(batch, slot, jobs[slot]), asio::detached);

  const auto deadline = Clock::now() + call_timeout_;
  while (batch->running > 0 && Clock::now() < deadline) {
    batch->wake.expires_at(deadline);
    co_await batch->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  Json ok = Json::array();
  Json failed = Json::object();
  std::string failures;
  for (std::size_t slot = 0; slot < jobs.size(); ++slot) {
    const auto& key = jobs[slot].key;
    auto error = batch->errors[slot].value_or("no answer within " + duration_text(call_timeout_) +
                                              " (settings.call_timeout); it may still act");
    if (error.empty()) {
      ok.push_back(key);
      continue;
    }
    failed[key] = error;
    failures += (failures.empty() ? "" : "; ") + key + ": " + error;
  }
  if (!failed.empty()) log().warn(action, ": ", failures);
  if (ok.empty()) throw RequestFailed(id() + " " + action + ": every device failed: " + failures);
  co_return Json{{"ok", std::move(ok)}, {"failed", std::move(failed)}};
}

// Touches the room only while the action still waits (batch open): afterwards the driver
// may be gone.
Task<void> Room::run_job(std::shared_ptr<Batch> batch, std::size_t slot, Job job) {
  std::string error;
  for (auto& s : job.steps) {
    if (batch->closed) co_return;
    try {
      Json args = std::move(s.args);
      co_await call(job.name, job.index, s.method, std::move(args));
    } catch (const std::exception& e) {
      error = s.method + ": " + e.what();
    } catch (...) {
      error = s.method + ": unknown error";
    }
    if (!error.empty()) break;
  }
  batch->complete(slot, std::move(error));
}

}  // namespace roomd::room
