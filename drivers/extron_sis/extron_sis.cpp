#include "drivers/extron_sis/extron_sis.hpp"

#include "runtime/sdk/printable.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>
#include <vector>

namespace roomd::extron {
namespace {

using namespace std::chrono_literals;

constexpr int kSetupPriority = 90;
constexpr int kUserPriority = 80;
constexpr int kPollPriority = 10;
// A switcher that wants a password sends the prompt right after the banner and date: this is
// how long after the banner its absence means "no password".
constexpr auto kPromptGrace = 300ms;

}  // namespace

DriverInfo ExtronSis::info() {
  DriverInfo info;
  info.name = "extron_sis";
  info.description = "Extron switcher with SIS control (telnet on TCP 23, or RS-232)";
  info.generic_name = "Switcher";
  info.transport = TransportKind::tcp;
  info.default_port = 23;
  // Answers end with CR LF, but the login prompt "Password:" ends with nothing: "word:" ends
  // that frame too, leaving "Pass" for received() to recognise.
  info.tokenizer = DelimiterSpec{{"\r\n", "word:"}};
  info.max_frame = 512;
  info.handshake = true;
  info.settings = {
      {"password", "string", "",
       "administrator (or user) password; empty when the switcher asks for none", true},
      {"keepalive_every", "duration", "30s",
       "how often Q (firmware version) is sent so the switcher's idle timeout never closes the "
       "connection; a keep-alive without reply reconnects",
       false},
      {"timeout", "duration", "2s",
       "how long to wait for each reply; a command is sent up to 3 times", false},
      {"login_wait", "duration", "2s",
       "when neither banner nor password prompt arrives (RS-232), go online after this long",
       false},
      {"outputs", "integer", 1,
       "number of outputs: switch_to (and a front-panel In<n> All) ties all of them", false},
      {"volume_min", "integer", 0, "device volume value that volume 0 maps to", false},
      {"volume_max", "integer", 100,
       "device volume value that volume 100 maps to (64 on switchers with a 0-64 range)", false},
  };
  info.check_settings = [](const Json& settings) {
    std::vector<SettingsProblem> problems;
    auto number = [&](const char* name, int fallback) {
      auto it = settings.find(name);
      return it != settings.end() && it->is_number_integer() ? it->get<int>() : fallback;
    };
    if (number("volume_max", 100) <= number("volume_min", 0))
      problems.push_back({"volume_max", "must be greater than volume_min"});
    auto outputs = number("outputs", 1);
    if (outputs < 1 || outputs > kMaxChannel)
      problems.push_back({"outputs", "expected 1-999, got " + std::to_string(outputs)});
    return problems;
  };
  info.status = {
      {"ties", "object",
       "per output: {\"video\": input, \"audio\": input}, e.g. {\"1\": {\"video\": 1, "
       "\"audio\": 1}}; input 0 is untied"},
      {"input", "integer", "the input last switched to all outputs (switch_to, front panel)"},
      {"volume", "integer", "0-100, mapped from the device range volume_min-volume_max"},
      {"audio_mute", "boolean", "audio muted"},
      {"mute", "boolean", "the same as audio_mute (the common Switcher contract)"},
      {"video_mute", "boolean", "video muted"},
      {"firmware", "string", "firmware version, from the keep-alive's Q"},
      {"device", "string", "the banner the switcher sent on connect (model, firmware, part)"},
  };
  return info;
}

void ExtronSis::expose(Methods<ExtronSis>& m) {
  m.method("tie", &ExtronSis::tie,
           {Param("input", Range{0, kMaxChannel}), Param("output", Range{1, kMaxChannel}),
            Param("layer", "all")})
      .sets("ties")
      .describe("tie an input to an output on layer all, video or audio (input 0 unties)");
  m.method("switch_to", &ExtronSis::switch_to, {Param("input", Range{0, kMaxChannel})})
      .sets("input")
      .describe("tie an input to all outputs (simple switchers)");
  m.method("volume", &ExtronSis::volume, {Param("level", Range{0, 100})})
      .sets("volume")
      .describe("set the volume, 0-100 (mapped to volume_min-volume_max)");
  m.method("mute", &ExtronSis::mute, {"on"}).sets("mute").describe("audio mute on or off");
  m.method("audio_mute", &ExtronSis::audio_mute, {"on"}).sets("audio_mute");
  m.method("video_mute", &ExtronSis::video_mute, {"on"}).sets("video_mute");
  m.method("firmware?", &ExtronSis::query_firmware).describe("query the firmware version");
}

Task<void> ExtronSis::on_load() {
  every(setting_duration("keepalive_every"), [this] { return keepalive(); });
  co_return;
}

Task<void> ExtronSis::connected() {
  phase_ = Phase::greeting;
  banner_seen_ = false;
  ++link_;
  in(setting_duration("login_wait"), [this, link = link_] { return login_deadline(link, false); });
  co_return;
}

void ExtronSis::disconnected() {
  phase_ = Phase::greeting;
  banner_seen_ = false;
  ++link_;
}

Task<Json> ExtronSis::command(std::string bytes, std::string name, int priority) {
  // Queued commands would wait for a login that cannot happen until the setting changes.
  if (phase_ == Phase::refused)
    throw RequestFailed(id() + ": not logged in to the switcher: check settings.password (" + name +
                        " not sent)");
  SendOptions options;
  options.name = name;  // `name` lives in this frame until send() has copied it
  options.priority = priority;
  options.timeout = setting_duration("timeout");
  co_return co_await send(std::move(bytes), options);
}

Task<Json> ExtronSis::tie(int input, int output, std::string layer) {
  auto code = layer_code(layer);
  if (!code)
    throw BadArguments(
        "tie(input: integer, output: integer, layer: string): layer must be all, video or "
        "audio, got \"" +
        layer + "\"");
  auto bytes = tie_command({.output = output, .input = input, .layer = *code});
  // Named per output and layer: a newer tie of the same output replaces a queued older one,
  // ties of other outputs do not.
  auto name = "tie_" + std::to_string(output) + "_" + layer;
  co_await command(std::move(bytes), std::move(name), kUserPriority);
  auto ties = status("ties");
  auto key = std::to_string(output);
  if (ties.is_object() && ties.contains(key)) co_return ties[key];
  co_return Json::object();
}

Task<int> ExtronSis::switch_to(int input) {
  auto bytes = tie_command({.input = input});
  std::string name = "switch_to";
  co_await command(std::move(bytes), std::move(name), kUserPriority);
  co_return input;
}

int ExtronSis::to_device_volume(int level) const {
  auto low = setting<int>("volume_min");
  auto high = setting<int>("volume_max");
  return low + static_cast<int>(std::lround(level * static_cast<double>(high - low) / 100.0));
}

int ExtronSis::from_device_volume(int value) const {
  auto low = setting<int>("volume_min");
  auto high = setting<int>("volume_max");
  if (high <= low) return 0;
  auto level = std::lround((value - low) * 100.0 / static_cast<double>(high - low));
  return static_cast<int>(std::clamp<long>(level, 0, 100));
}

Task<int> ExtronSis::volume(int level) {
  auto bytes = std::to_string(to_device_volume(level)) + "V";
  std::string name = "volume";
  co_await command(std::move(bytes), std::move(name), kUserPriority);
  auto now = status("volume");
  co_return now.is_number_integer() ? now.get<int>() : level;
}

Task<bool> ExtronSis::set_mute(char code, bool on) {
  std::string bytes{on ? '1' : '0', code};
  std::string name = code == 'Z' ? "audio_mute" : "video_mute";
  co_await command(std::move(bytes), std::move(name), kUserPriority);
  co_return on;
}

Task<bool> ExtronSis::mute(bool on) {
  return set_mute('Z', on);
}

Task<bool> ExtronSis::audio_mute(bool on) {
  return set_mute('Z', on);
}

Task<bool> ExtronSis::video_mute(bool on) {
  return set_mute('B', on);
}

Task<std::string> ExtronSis::query_firmware() {
  std::string bytes = "Q";
  std::string name = "firmware?";
  auto answer = co_await command(std::move(bytes), std::move(name), kUserPriority);
  co_return answer.is_string() ? answer.get<std::string>() : std::string();
}

Task<void> ExtronSis::keepalive() {
  if (phase_ != Phase::ready || !online()) co_return;
  bool lost = false;
  try {
    std::string bytes = "Q";
    std::string name = "keepalive";
    co_await command(std::move(bytes), std::move(name), kPollPriority);
  } catch (const RequestFailed& e) {
    lost = online();  // offline meanwhile: the transport is already reconnecting
    if (lost) log().warn("keep-alive failed (", e.what(), "); reconnecting to the switcher");
  }
  if (lost) reconnect();
}

Task<void> ExtronSis::after_login() {
  if (phase_ != Phase::ready || !online()) co_return;
  try {
    // Verbose mode 3: front-panel ties arrive unsolicited, and answers are tagged. Escape
    // commands end with CR, unlike the single-letter ones.
    std::string bytes =
        "\x1b"
        "3CV\r";
    std::string name = "verbose";
    co_await command(std::move(bytes), std::move(name), kSetupPriority);
  } catch (const RequestFailed& e) {
    log().warn("could not set verbose mode 3 (", e.what(),
               "); ties made on the front panel will not be reported until the next reconnect");
  }
}

Task<void> ExtronSis::login_deadline(std::uint64_t link, bool banner_seen) {
  if (link != link_ || phase_ != Phase::greeting) co_return;
  go_ready(banner_seen ? "the switcher asks for no password"
                       : "no banner or password prompt (serial line, or banner sent earlier)");
  co_return;
}

void ExtronSis::go_ready(std::string_view why) {
  if (phase_ == Phase::ready) return;
  phase_ = Phase::ready;
  log().info("online: ", why);
  ready();
  in(Duration::zero(), [this] { return after_login(); });
}

void ExtronSis::prompt() {
  if (phase_ == Phase::password_sent) {
    refused("it asked for the password again");
    return;
  }
  if (phase_ == Phase::refused) return;  // already reported; sending it again cannot help
  auto password = setting<std::string>("password");
  if (password.empty()) {
    phase_ = Phase::refused;
    log().error("switcher asks for a password: set settings.password of module ", id(),
                " to the switcher's administrator (or user) password");
    clear_queue(id() + ": switcher asks for a password and settings.password is empty");
    return;
  }
  phase_ = Phase::password_sent;
  write_secret(password + "\r");
}

void ExtronSis::refused(std::string_view how) {
  phase_ = Phase::refused;
  log().error("switcher refused the password in settings.password of module ", id(), " (", how,
              "); check it matches the switcher's administrator or user password");
  clear_queue(id() + ": switcher refused the password; check settings.password");
}

void ExtronSis::logged_in(std::string_view frame) {
  auto level = frame.substr(6);
  if (level == "User")
    log().info("logged in as User: some commands may answer E24 (privilege violation)");
  else
    log().info("logged in as ", printable(level));
  if (phase_ == Phase::greeting || phase_ == Phase::password_sent) go_ready("logged in");
}

void ExtronSis::apply_tie(const TieReport& tie) {
  auto ties = status("ties");
  if (!ties.is_object()) ties = Json::object();
  std::vector<std::string> outputs;
  if (tie.output) {
    outputs.push_back(std::to_string(*tie.output));
  } else {
    for (int o = 1; o <= setting<int>("outputs"); ++o) outputs.push_back(std::to_string(o));
    for (const auto& [key, value] : ties.items())
      if (std::find(outputs.begin(), outputs.end(), key) == outputs.end()) outputs.push_back(key);
  }
  for (const auto& key : outputs) {
    auto& entry = ties[key];
    if (!entry.is_object()) entry = Json::object();
    if (tie.layer != '$') entry["video"] = tie.input;
    if (tie.layer == '!' || tie.layer == '$') entry["audio"] = tie.input;
  }
  set_status("ties", ties);
  if (!tie.output && tie.layer != '$') set_status("input", tie.input);
}

Received ExtronSis::received(std::string_view frame, Command* pending) {
  if (frame.empty()) return Received::ignore;
  if (is_prompt(frame)) {
    prompt();
    return Received::ignore;
  }
  if (is_banner(frame)) {
    set_status("device", printable(frame));
    log().info("switcher: ", printable(frame));
    if (phase_ == Phase::greeting && !banner_seen_) {
      banner_seen_ = true;
      in(kPromptGrace, [this, link = link_] { return login_deadline(link, true); });
    }
    return Received::ignore;
  }
  if (frame.starts_with("Login ")) {
    logged_in(frame);
    return Received::ignore;
  }
  if (phase_ == Phase::password_sent && is_error_code(frame)) {
    refused("it answered " + std::string(frame));
    return Received::ignore;
  }
  if (phase_ != Phase::ready) {
    // The date line after the banner, or noise before the login.
    log().debug("before login: ", printable(frame));
    return Received::ignore;
  }
  return answer(frame, pending);
}

Received ExtronSis::answer(std::string_view frame, Command* pending) {
  const char kind = pending ? command_kind(pending->bytes()) : '\0';
  if (is_error_code(frame)) {
    if (!pending) {
      log().warn("switcher reported ", frame, " (", error_meaning(frame),
                 ") with no command pending");
      return Received::ignore;
    }
    if (frame == "E22") return Received::retry;  // busy: the same command will do later
    pending->set_error(id() + ": switcher answered " + std::string(frame) + " to " +
                       pending->name() + " (\"" + printable(pending->bytes()) +
                       "\"): " + error_meaning(frame));
    return Received::abort;
  }
  if (auto tie = parse_tie(frame)) {
    apply_tie(*tie);
    auto sent = pending ? parse_tie_command(pending->bytes()) : std::nullopt;
    if (sent && sent->input == tie->input && sent->output == tie->output &&
        layer_family(sent->layer) == layer_family(tie->layer)) {
      pending->set_result({{"input", tie->input},
                           {"output", tie->output ? Json(*tie->output) : Json(nullptr)},
                           {"layer", layer_name(tie->layer)}});
      return Received::success;
    }
    log().info("tie changed on the switcher: ", frame);
    return Received::ignore;
  }
  if (auto value = value_after(frame, "Vol")) {
    set_status("volume", from_device_volume(*value));
    return kind == 'V' ? Received::success : Received::ignore;
  }
  if (auto value = value_after(frame, "Amt"); value && (*value == 0 || *value == 1)) {
    set_status("audio_mute", *value == 1);
    set_status("mute", *value == 1);
    return kind == 'Z' ? Received::success : Received::ignore;
  }
  if (auto value = value_after(frame, "Vmt"); value && (*value == 0 || *value == 1)) {
    set_status("video_mute", *value == 1);
    return kind == 'B' ? Received::success : Received::ignore;
  }
  if (frame.starts_with("Vrb")) return kind == '\x1b' ? Received::success : Received::ignore;
  if (frame.starts_with("Qik") || frame.starts_with("Rpr") || frame.starts_with("Spr")) {
    log().info("switcher recalled a preset or quick tie (", printable(frame),
               "); ties update as the switcher reports them");
    return Received::ignore;
  }
  if (auto version = kind == 'Q' ? firmware_version(frame) : std::nullopt) {
    set_status("firmware", printable(*version));
    pending->set_result(printable(*version));
    return Received::success;
  }
  log().warn("ignored a frame that is not an SIS answer: \"", printable(frame), "\"");
  return Received::ignore;
}

}  // namespace roomd::extron
