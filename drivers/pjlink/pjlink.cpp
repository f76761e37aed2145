#include "drivers/pjlink/pjlink.hpp"

#include "drivers/pjlink/pjlink_auth.hpp"
#include "runtime/sdk/printable.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <type_traits>

namespace roomd::pjlink {
namespace {

using namespace std::chrono_literals;

constexpr std::array<std::string_view, 5> kInputTypes = {"rgb", "video", "digital", "storage",
                                                         "network"};
constexpr std::array<std::string_view, 4> kPowerStates = {"standby", "on", "cooling", "warming"};
constexpr std::array<std::string_view, 6> kErrorParts = {"fan",   "lamp",   "temperature",
                                                         "cover", "filter", "other"};
// What each ERST part's warning and error mean for whoever reads the alert.
constexpr std::array<std::array<std::string_view, 2>, 6> kErrorTitles = {{
    {"fan warning", "fan error: the projector may shut down; check its fan"},
    {"lamp warning: the lamp nears its end of life", "lamp error: replace the lamp"},
    {"temperature warning: check the projector's ventilation",
     "temperature error: the projector is overheating"},
    {"cover warning", "cover error: the lamp cover is open"},
    {"filter warning: clean or replace the filter soon",
     "filter error: clean or replace the filter"},
    {"other warning (see the projector's menu)", "other error (see the projector's menu)"},
}};
constexpr int kPollPriority = 10;
constexpr int kUserPriority = 80;

std::string error_text(std::string_view code, std::string_view err) {
  std::string what = "projector answered " + std::string(code) + "=" + std::string(err) + ": ";
  if (err == "ERR1") return what + "undefined command (the projector does not support it)";
  if (err == "ERR2") return what + "out of parameter (no such input or value on this projector)";
  if (err == "ERR3")
    return what + "unavailable time (the projector is in standby, warming up or cooling down)";
  return what + "projector/display failure (check the projector's error status)";
}

// The 4-letter code of a command we sent: "%1POWR 1\r" -> "POWR".
std::string_view code_of(std::string_view bytes) {
  auto at = bytes.find("%1");
  if (at == std::string_view::npos || bytes.size() < at + 6) return {};
  return bytes.substr(at + 2, 4);
}

// What a query's answer can hold, for the error when it holds something else.
std::string_view expected_value(std::string_view code) {
  if (code == "POWR") return "0-3 (standby, on, cooling, warming)";
  if (code == "INPT") return "an input code such as 31 (type 1-5, then 1-9)";
  if (code == "AVMT") return "11, 21, 31, 10, 20 or 30 (video, audio or both; then off or on)";
  if (code == "ERST") return "six digits 0-2 (fan, lamp, temperature, cover, filter, other)";
  if (code == "LAMP") return "lamp hours and lamp state, such as \"1234 1\"";
  return "its value";
}

bool is_query(std::string_view bytes) {
  return bytes.ends_with(" ?\r");
}

}  // namespace

std::optional<std::string> input_code(std::string_view name) {
  if (name.size() == 2 && name[0] >= '1' && name[0] <= '5' && name[1] >= '1' && name[1] <= '9')
    return std::string(name);
  for (std::size_t type = 0; type < kInputTypes.size(); ++type) {
    auto prefix = kInputTypes[type];
    if (name.size() == prefix.size() + 1 && name.starts_with(prefix) && name.back() >= '1' &&
        name.back() <= '9')
      return std::string{static_cast<char>('1' + type), name.back()};
  }
  return std::nullopt;
}

std::string input_name(std::string_view code) {
  if (code.size() != 2 || code[0] < '1' || code[0] > '5') return std::string(code);
  return std::string(kInputTypes[code[0] - '1']) + code[1];
}

DriverInfo Pjlink::info() {
  DriverInfo info;
  info.name = "pjlink";
  info.description = "PJLink class 1 projector or display (TCP 4352)";
  info.generic_name = "Projector";
  info.transport = TransportKind::tcp;
  info.default_port = 4352;
  info.tokenizer = DelimiterSpec{{"\r"}};
  info.max_frame = 512;  // class 1 answers are short; anything longer is noise
  info.handshake = true;
  info.settings = {
      {"password", "string", "", "PJLink password; empty when authentication is off", true},
      {"poll_every", "duration", "10s", "how often power and input are polled", false},
      {"errors_every", "duration", "60s",
       "how often the error status (ERST) is polled; lamp, filter and other problems raise alerts",
       false},
      {"timeout", "duration", "5s",
       "how long to wait for each reply; a command is sent up to 3 times", false},
  };
  info.status = {
      {"power", "boolean", "true while on or warming up"},
      {"power_state", "string", "standby, on, cooling or warming"},
      {"input", "string", "rgbN, videoN, digitalN, storageN or networkN"},
      {"mute", "object", "{\"video\": bool, \"audio\": bool}"},
      {"errors", "object", "fan, lamp, temperature, cover, filter, other: ok/warning/error"},
      {"lamp_hours", "integer", "hours on the first lamp"},
      {"name", "string", "the projector's name"},
  };
  return info;
}

void Pjlink::expose(Methods<Pjlink>& m) {
  m.method("power", &Pjlink::power, {"on"}).sets("power").describe("turn the projector on or off");
  m.method("power?", &Pjlink::query_power).describe("query power (updates power_state)");
  m.method("switch_to", &Pjlink::switch_to, {"input"})
      .sets("input")
      .describe("select an input: rgb1, video2, digital1 (HDMI), ... or a PJLink code (31)");
  m.method("input?", &Pjlink::query_input);
  m.method("mute", &Pjlink::mute, {Param("what", "both"), Param("on", true)})
      .sets("mute")
      .describe("mute video, audio or both");
  m.method("mute?", &Pjlink::query_mute);
  m.method("errors?", &Pjlink::query_errors);
  m.method("lamp_hours?", &Pjlink::query_lamp_hours);
  m.method("name?", &Pjlink::query_name);
}

Task<void> Pjlink::on_load() {
  every(setting_duration("poll_every"), [this] { return poll(); });
  every(setting_duration("errors_every"), [this] { return poll_errors(); });
  co_return;
}

Task<void> Pjlink::connected() {
  handshake_done_ = false;  // the greeting arrives next and decides
  co_return;
}

Task<Json> Pjlink::command(std::string body, SendOptions options) {
  options.timeout = setting_duration("timeout");
  return send("%1" + std::move(body) + "\r", std::move(options));
}

Task<bool> Pjlink::power(bool on) {
  co_await command(on ? "POWR 1" : "POWR 0", {.name = "power", .priority = kUserPriority});
  set_status("power", on);
  // POWR 1 to a projector that is on (POWR 0 in standby) is a no-op answered OK: keep the
  // steady state instead of reporting a warm-up or cool-down until the next poll.
  if (status("power_state") != (on ? "on" : "standby"))
    set_status("power_state", on ? "warming" : "cooling");
  co_return on;
}

Task<bool> Pjlink::query_power() {
  co_await command("POWR ?", {.name = "power?", .priority = kUserPriority});
  co_return reported<bool>("power", "POWR ?");
}

Task<std::string> Pjlink::switch_to(std::string input) {
  auto code = input_code(input);
  if (!code)
    throw BadArguments("switch_to(input: string): unknown input \"" + input +
                       "\"; use rgb1-9, video1-9, digital1-9, storage1-9, network1-9 or a "
                       "two-digit PJLink code such as 31");
  co_await command("INPT " + *code, {.name = "input", .priority = kUserPriority});
  set_status("input", input_name(*code));
  co_return input_name(*code);
}

Task<std::string> Pjlink::query_input() {
  co_await command("INPT ?", {.name = "input?", .priority = kUserPriority});
  co_return reported<std::string>("input", "INPT ?");
}

Task<Json> Pjlink::mute(std::string what, bool on) {
  char type;
  if (what == "video") {
    type = '1';
  } else if (what == "audio") {
    type = '2';
  } else if (what == "both") {
    type = '3';
  } else {
    throw BadArguments(
        "mute(what: string, on: boolean): what must be video, audio or both, got \"" + what + "\"");
  }
  auto name = "mute_" + what;
  auto body = std::string("AVMT ") + type + (on ? '1' : '0');
  co_await command(std::move(body), {.name = name, .priority = kUserPriority});
  auto state = status("mute");
  if (!state.is_object()) state = {{"video", false}, {"audio", false}};
  if (type != '2') state["video"] = on;
  if (type != '1') state["audio"] = on;
  set_status("mute", state);
  co_return state;
}

Task<Json> Pjlink::query_mute() {
  co_await command("AVMT ?", {.name = "mute?", .priority = kUserPriority});
  co_return reported<Json>("mute", "AVMT ?");
}

Task<Json> Pjlink::query_errors() {
  co_await command("ERST ?", {.name = "errors?", .priority = kUserPriority});
  co_return reported<Json>("errors", "ERST ?");
}

Task<int> Pjlink::query_lamp_hours() {
  co_await command("LAMP ?", {.name = "lamp?", .priority = kUserPriority});
  co_return reported<int>("lamp_hours", "LAMP ?");
}

Task<std::string> Pjlink::query_name() {
  co_await command("NAME ?", {.name = "name?", .priority = kUserPriority});
  co_return reported<std::string>("name", "NAME ?");
}

template <class T>
T Pjlink::reported(std::string_view name, std::string_view command) const {
  // received() refuses an answer update() cannot read, so this only fails when a driver
  // change breaks that promise: say which status, never the JSON library's words.
  auto value = status(name);
  if constexpr (std::is_same_v<T, Json>) {
    if (value.is_object()) return value;
  } else {
    if (!value.is_null()) {
      try {
        return value.template get<T>();
      } catch (const Json::exception&) {
      }
    }
  }
  throw RequestFailed(id() + ": the projector's answer to " + std::string(command) +
                      " left status " + std::string(name) + " as " + value.dump() +
                      ", which is not the value the method returns");
}

Task<void> Pjlink::poll() {
  if (!online()) co_return;
  co_await command("POWR ?", {.name = "poll_power", .priority = kPollPriority});
  co_await poll_details();
}

Task<void> Pjlink::poll_errors() {
  if (!online()) co_return;
  co_await command("ERST ?", {.name = "poll_errors", .priority = kPollPriority});
}

void Pjlink::report_errors(std::string_view digits) {
  for (std::size_t i = 0; i < kErrorParts.size(); ++i) {
    const std::string part(kErrorParts[i]);
    const char level = digits[i];
    if (level == reported_[i]) continue;
    // A warning that became an error is a new alert at its own severity.
    clear_alert(part);
    reported_[i] = level;
    if (level == '0') continue;
    const bool error = level == '2';
    raise_alert(part, error ? AlertSeverity::high : AlertSeverity::medium,
                std::string(kErrorTitles[i][error ? 1 : 0]));
  }
}

Task<void> Pjlink::poll_details() {
  if (!online()) co_return;
  // Input and mute answer ERR3 in standby; asking would only fill the log.
  if (status("power_state") == "on") {
    co_await command("INPT ?", {.name = "poll_input", .priority = kPollPriority});
    co_await command("AVMT ?", {.name = "poll_mute", .priority = kPollPriority});
  }
}

void Pjlink::greeting(std::string_view frame) {
  if (frame == "PJLINK 0") {
    log().info("projector does not require authentication");
    handshake_done_ = true;
    ready();
    in(Duration::zero(), [this] { return poll(); });
    return;
  }
  auto random = frame.substr(9);
  auto password = setting<std::string>("password");
  if (password.empty()) {
    log().error("projector requires a PJLink password: set settings.password of module ", id(),
                " to the projector's PJLink password");
    return;
  }
  // The digest rides on the first command; the answer to it completes the handshake.
  write_secret(pjlink_digest(random, password) + "%1POWR ?\r", kDigestLength);
}

Received Pjlink::received(std::string_view frame, Command* pending) {
  if (frame.starts_with("PJLINK ERRA")) {
    log().error("projector refused the password in settings.password of module ", id(),
                "; check it matches the projector's PJLink password");
    // The digest went out with the handshake, outside the queue: what waits in the queue
    // would only time out later, so it fails now with the reason.
    if (pending) pending->set_error(id() + ": projector refused the PJLink password");
    clear_queue(id() + ": projector refused the PJLink password; check settings.password");
    return Received::abort;
  }
  if (frame == "PJLINK 0" || (frame.starts_with("PJLINK 1 ") && frame.size() == 17)) {
    greeting(frame);
    return Received::ignore;
  }
  auto eq = frame.find('=');
  if (!frame.starts_with("%1") || eq != 6) {
    log().warn("ignored a frame that is not PJLink class 1: \"", printable(frame), "\"");
    return Received::ignore;
  }
  auto code = frame.substr(2, 4);
  auto value = frame.substr(7);
  if (!handshake_done_) {
    log().info("authenticated with the projector");
    handshake_done_ = true;
    ready();
    // This frame answers the POWR ? the digest rode on: the power state is known, and asking
    // again at once would only repeat it.
    in(Duration::zero(), [this] { return poll_details(); });
  }
  bool answers_pending = pending && code_of(pending->bytes()) == code;
  if (value.size() == 4 && value.starts_with("ERR")) {
    if (!answers_pending) {
      log().warn("projector reported ", frame, " with no command of that kind pending");
      return Received::ignore;
    }
    pending->set_error(id() + ": " + error_text(code, value));
    return Received::abort;
  }
  const bool understood = value != "OK" && update(code, value);
  if (!answers_pending) {
    if (value != "OK" && !understood)
      log().warn("ignored ", code, "=", printable(value), " from the projector: expected ",
                 expected_value(code));
    return Received::ignore;
  }
  if (is_query(pending->bytes()) && !understood) {
    pending->set_error(id() + ": projector answered " + std::string(code) + "=" + printable(value) +
                       " to " + pending->name() + " (\"%1" + std::string(code) +
                       " ?\"); expected " + std::string(expected_value(code)));
    return Received::abort;
  }
  pending->set_result(std::string(value));
  return Received::success;
}

bool Pjlink::update(std::string_view code, std::string_view value) {
  if (code == "POWR") {
    if (value.size() != 1 || value[0] < '0' || value[0] > '3') return false;
    auto state = kPowerStates[value[0] - '0'];
    set_status("power_state", state);
    set_status("power", state == "on" || state == "warming");
  } else if (code == "INPT") {
    if (value.size() != 2 || value[0] < '1' || value[0] > '5' || value[1] < '1' || value[1] > '9')
      return false;
    set_status("input", input_name(value));
  } else if (code == "AVMT") {
    if (value.size() != 2 || value[0] < '1' || value[0] > '3' ||
        (value[1] != '0' && value[1] != '1'))
      return false;
    bool on = value[1] == '1';
    bool video = on && (value[0] == '1' || value[0] == '3');
    bool audio = on && (value[0] == '2' || value[0] == '3');
    set_status("mute", {{"video", video}, {"audio", audio}});
  } else if (code == "ERST") {
    if (value.size() != kErrorParts.size() ||
        value.find_first_not_of("012") != std::string_view::npos)
      return false;
    Json errors = Json::object();
    for (std::size_t i = 0; i < kErrorParts.size(); ++i)
      errors[kErrorParts[i]] = value[i] == '0' ? "ok" : value[i] == '1' ? "warning" : "error";
    set_status("errors", errors);
    report_errors(value);
  } else if (code == "LAMP") {
    // "<hours> <on>[ <hours> <on>...]": the first lamp's hours. A number too long for an int is
    // garbage (the spec allows five digits), not a reason to overflow.
    const auto hours = value.substr(0, value.find(' '));
    int total = 0;
    const auto [end, ec] = std::from_chars(hours.data(), hours.data() + hours.size(), total);
    if (ec != std::errc() || end != hours.data() + hours.size() || hours.front() == '-')
      return false;
    set_status("lamp_hours", total);
  } else if (code == "NAME") {
    set_status("name", std::string(value));
  }
  return true;
}

}  // namespace roomd::pjlink
