#include "drivers/extron_sis/extron_sis.hpp"

#include "runtime/sdk/printable.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
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
constexpr int kMaxChannel = 999;  // the largest Extron matrices stay far below this
// A switcher that wants a password sends the prompt right after the banner and date: this is
// how long after the banner its absence means "no password".
constexpr auto kPromptGrace = 300ms;

struct ErrorText {
  std::string_view code;
  std::string_view meaning;
};

constexpr std::array<ErrorText, 14> kErrors = {{
    {"E01", "invalid input number (no such input on this switcher; check the input number)"},
    {"E10", "invalid command (this switcher model does not support it)"},
    {"E11", "invalid preset number"},
    {"E12", "invalid output number (no such output on this switcher; check the output number)"},
    {"E13", "invalid parameter (the value is out of range for this switcher)"},
    {"E14", "not valid for this configuration"},
    {"E17", "timed out (the switcher gave up waiting for the command to complete)"},
    {"E21", "invalid room number"},
    {"E22", "busy (the switcher is processing another request)"},
    {"E24",
     "privilege violation (logged in as User: set settings.password to the administrator "
     "password)"},
    {"E25", "device not present"},
    {"E26", "maximum number of connections exceeded (close other telnet sessions)"},
    {"E27", "invalid event number"},
    {"E28", "bad filename or file not found"},
}};

bool is_error_code(std::string_view frame) {
  return frame.size() == 3 && frame[0] == 'E' &&
         std::isdigit(static_cast<unsigned char>(frame[1])) &&
         std::isdigit(static_cast<unsigned char>(frame[2]));
}

// The tokenizer ends a frame at "word:", so the prompt "Password:" arrives as "Pass".
bool is_prompt(std::string_view frame) {
  if (frame.size() < 4) return false;
  auto tail = frame.substr(frame.size() - 4);
  return std::equal(tail.begin(), tail.end(), std::string_view("pass").begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

// Reads a whole (possibly zero-padded, possibly negative) number at the front of `text` and
// advances past it.
std::optional<int> take_number(std::string_view& text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

bool take(std::string_view& text, std::string_view word) {
  if (!text.starts_with(word)) return false;
  text.remove_prefix(word.size());
  return true;
}

void skip_spaces(std::string_view& text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
}

// "Vol082" -> 82 when the whole frame is the prefix and a number.
std::optional<int> value_after(std::string_view frame, std::string_view prefix) {
  if (!take(frame, prefix)) return std::nullopt;
  auto value = take_number(frame);
  if (!value || !frame.empty()) return std::nullopt;
  return value;
}

// "1.02", "Ver01*1.02": what a Q answer looks like, so noise is not taken for a version.
bool looks_like_version(std::string_view frame) {
  return std::any_of(frame.begin(), frame.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; }) &&
         std::all_of(frame.begin(), frame.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '.' || c == '*' || c == '-' || c == ' ';
         });
}

// The command character of what we sent: '!' '%' '$' '&' ties, 'V' 'Z' 'B' 'Q', '\x1b' for an
// escape command.
char kind_of(std::string_view bytes) {
  if (bytes.starts_with('\x1b')) return '\x1b';
  if (bytes.empty()) return '\0';
  return bytes.back();
}

// "1*2!" -> input 1, output 2, layer '!'; "3%" -> input 3, layer '%'.
std::optional<TieReport> parse_sent_tie(std::string_view bytes) {
  TieReport tie;
  auto input = take_number(bytes);
  if (!input) return std::nullopt;
  tie.input = *input;
  if (take(bytes, "*")) {
    tie.output = take_number(bytes);
    if (!tie.output) return std::nullopt;
  }
  if (bytes.size() != 1) return std::nullopt;
  tie.layer = bytes[0];
  return tie;
}

// Video and RGB ties report the same layer.
char layer_family(char layer) {
  return layer == '&' ? '%' : layer;
}

const char* layer_name(char layer) {
  switch (layer) {
    case '%':
    case '&':
      return "video";
    case '$':
      return "audio";
    default:
      return "all";
  }
}

}  // namespace

std::optional<TieReport> parse_tie(std::string_view frame) {
  TieReport tie;
  if (take(frame, "Out")) {
    tie.output = take_number(frame);
    if (!tie.output || *tie.output < 0) return std::nullopt;
    skip_spaces(frame);
  }
  if (!take(frame, "In")) return std::nullopt;
  auto input = take_number(frame);
  if (!input || *input < 0) return std::nullopt;
  tie.input = *input;
  skip_spaces(frame);
  if (frame == "All") {
    tie.layer = '!';
  } else if (frame == "Vid") {
    tie.layer = '%';
  } else if (frame == "Aud") {
    tie.layer = '$';
  } else if (frame == "RGB") {
    tie.layer = '&';
  } else {
    return std::nullopt;
  }
  return tie;
}

std::string error_meaning(std::string_view code) {
  for (const auto& e : kErrors)
    if (e.code == code) return std::string(e.meaning);
  return "error " + std::string(code) + " (see the switcher's SIS error code table)";
}

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
  m.method("tie", &ExtronSis::tie, {"input", "output", Param("layer", "all")})
      .sets("ties")
      .describe("tie an input to an output on layer all, video or audio (input 0 unties)");
  m.method("switch_to", &ExtronSis::switch_to, {"input"})
      .sets("input")
      .describe("tie an input to all outputs (simple switchers)");
  m.method("volume", &ExtronSis::volume, {"level"})
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
  char code;
  if (layer == "all") {
    code = '!';
  } else if (layer == "video") {
    code = '%';
  } else if (layer == "audio") {
    code = '$';
  } else {
    throw BadArguments(
        "tie(input: integer, output: integer, layer: string): layer must be all, video or "
        "audio, got \"" +
        layer + "\"");
  }
  if (input < 0 || input > kMaxChannel || output < 1 || output > kMaxChannel)
    throw BadArguments(
        "tie(input: integer, output: integer, layer: string): input must be 0-999 (0 unties) "
        "and output 1-999, got input " +
        std::to_string(input) + ", output " + std::to_string(output));
  auto bytes = std::to_string(input) + "*" + std::to_string(output) + code;
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
  if (input < 0 || input > kMaxChannel)
    throw BadArguments("switch_to(input: integer): input must be 0-999, got " +
                       std::to_string(input));
  auto bytes = std::to_string(input) + "!";
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
  if (level < 0 || level > 100)
    throw BadArguments("volume(level: integer): level must be 0-100, got " + std::to_string(level));
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
  if (frame.starts_with("(c)") || frame.starts_with("(C)")) {
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
  const char kind = pending ? kind_of(pending->bytes()) : '\0';
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
    auto sent = pending ? parse_sent_tie(pending->bytes()) : std::nullopt;
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
  if (kind == 'Q' && looks_like_version(frame)) {
    // "1.02", or "Ver01*1.02" with tagged answers: the version is what follows any tag.
    auto version = frame.substr(
        frame.find_last_of("*") == std::string_view::npos ? 0 : frame.find_last_of('*') + 1);
    set_status("firmware", printable(version));
    pending->set_result(printable(version));
    return Received::success;
  }
  log().warn("ignored a frame that is not an SIS answer: \"", printable(frame), "\"");
  return Received::ignore;
}

}  // namespace roomd::extron
