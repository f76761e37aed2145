#include "drivers/sony_bravia/sony_bravia.hpp"

#include "runtime/sdk/printable.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

namespace roomd::sony_bravia {
namespace {

// Input types as Simple IP numbers them (the first 8 digits of an INPT parameter).
constexpr std::array<std::string_view, 7> kInputTypes = {
    "tv", "hdmi", "scart", "composite", "component", "mirroring", "pc"};
constexpr std::string_view kEnquiryParam = "################";
constexpr int kPollPriority = 10;
constexpr int kUserPriority = 80;

bool all_of(std::string_view param, char c) {
  return !param.empty() && std::all_of(param.begin(), param.end(), [c](char x) { return x == c; });
}

std::string_view describe(std::string_view command) {
  if (command == "POWR") return "power";
  if (command == "INPT") return "input";
  if (command == "VOLU") return "volume";
  if (command == "AMUT") return "audio mute";
  return "command";
}

}  // namespace

std::string make_frame(char type, std::string_view command, std::string_view param) {
  std::string out = "*S";
  out += type;
  out += command;
  out += param;
  out += '\n';
  return out;
}

std::string number_param(int value) {
  std::array<char, kParamSize + 1> text{};
  std::snprintf(text.data(), text.size(), "%016d", value);
  return std::string(text.data(), kParamSize);
}

std::optional<long long> param_number(std::string_view param) {
  if (param.size() != kParamSize) return std::nullopt;
  long long value = 0;
  auto [end, ec] = std::from_chars(param.data(), param.data() + param.size(), value);
  if (ec != std::errc() || end != param.data() + param.size() || value < 0) return std::nullopt;
  return value;
}

bool is_frame(std::string_view bytes) {
  if (bytes.size() != kFrameSize || !bytes.starts_with("*S") || bytes.back() != '\n') return false;
  auto type = bytes[2];
  return type == 'C' || type == 'E' || type == 'A' || type == 'N';
}

std::optional<std::string> input_param(std::string_view name) {
  for (std::size_t type = 1; type < kInputTypes.size(); ++type) {
    auto prefix = kInputTypes[type];
    if (!name.starts_with(prefix)) continue;
    auto digits = name.substr(prefix.size());
    int number = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || number < 1 ||
        number > 9999)
      return std::nullopt;
    std::array<char, kParamSize + 1> text{};
    std::snprintf(text.data(), text.size(), "%08d%08d", static_cast<int>(type), number);
    return std::string(text.data(), kParamSize);
  }
  return std::nullopt;
}

std::optional<std::string> input_name(std::string_view param) {
  if (!param_number(param)) return std::nullopt;
  int type = 0;
  int number = 0;
  std::from_chars(param.data(), param.data() + 8, type);
  std::from_chars(param.data() + 8, param.data() + kParamSize, number);
  if (type == 0 && number == 0) return "tv";
  if (type < 1 || type >= static_cast<int>(kInputTypes.size())) return std::nullopt;
  return std::string(kInputTypes[static_cast<std::size_t>(type)]) + std::to_string(number);
}

DriverInfo SonyBravia::info() {
  DriverInfo info;
  info.name = "sony_bravia";
  info.description = "Sony Bravia display over Simple IP control (TCP 20060)";
  info.generic_name = "Display";
  info.transport = TransportKind::tcp;
  info.default_port = 20060;
  info.tokenizer = FixedLengthSpec{kFrameSize};
  info.max_frame = 64;
  info.settings = {
      {"poll_every", "duration", "10s", "how often power, input, volume and mute are polled",
       false},
      {"timeout", "duration", "5s",
       "how long to wait for each answer; a command is sent up to 3 times", false},
  };
  info.status = {
      {"power", "boolean", "true when the display is on"},
      {"input", "string", "hdmi1-4, composite1, component1, mirroring1, pc1, scart1 or tv"},
      {"volume", "integer", "speaker volume 0-100"},
      {"mute", "boolean", "true when the audio is muted"},
  };
  return info;
}

void SonyBravia::expose(Methods<SonyBravia>& m) {
  m.method("power", &SonyBravia::power, {"on"})
      .sets("power")
      .describe("turn the display on or off");
  m.method("switch_to", &SonyBravia::switch_to, {"input"})
      .sets("input")
      .describe("select an input: hdmi1-4, composite1, component1, scart1, mirroring1 or pc1");
  m.method("volume", &SonyBravia::volume, {Param("level", Range{0, 100})})
      .sets("volume")
      .describe("set volume 0-100");
  m.method("mute", &SonyBravia::mute, {Param("on", true)}).sets("mute").describe("mute the audio");
  m.method("power?", &SonyBravia::query_power).describe("ask the display for its power state");
  m.method("input?", &SonyBravia::query_input).describe("ask the display for its input");
  m.method("volume?", &SonyBravia::query_volume).describe("ask the display for its volume");
  m.method("mute?", &SonyBravia::query_mute).describe("ask the display for its audio mute");
}

Task<void> SonyBravia::on_load() {
  every(setting_duration("poll_every"), [this] { return poll(); });
  co_return;
}

Task<void> SonyBravia::connected() {
  carry_.clear();
  // Also after the display's idle disconnect: whatever changed meanwhile is read back now.
  in(Duration::zero(), [this] { return poll(); });
  co_return;
}

void SonyBravia::disconnected() {
  carry_.clear();
}

Task<Json> SonyBravia::control(std::string_view command, std::string param, std::string_view name) {
  auto bytes = make_frame('C', command, param);
  SendOptions options{.name = name, .priority = kUserPriority};
  options.timeout = setting_duration("timeout");
  co_return co_await send(std::move(bytes), options);
}

Task<Json> SonyBravia::enquire(std::string_view command, std::string_view name, int priority) {
  auto bytes = make_frame('E', command, kEnquiryParam);
  SendOptions options{.name = name, .priority = priority};
  options.timeout = setting_duration("timeout");
  co_return co_await send(std::move(bytes), options);
}

Task<bool> SonyBravia::power(bool on) {
  co_await control("POWR", number_param(on ? 1 : 0), "power");
  set_status("power", on);
  co_return on;
}

Task<std::string> SonyBravia::switch_to(std::string input) {
  auto param = input_param(input);
  if (!param)
    throw BadArguments("switch_to(input: string): unknown input \"" + input +
                       "\"; use hdmi1-4 (or another number), composite1, component1, scart1, "
                       "mirroring1 or pc1");
  co_await control("INPT", *param, "input");
  auto name = *input_name(*param);
  set_status("input", name);
  co_return name;
}

Task<int> SonyBravia::volume(int level) {
  co_await control("VOLU", number_param(level), "volume");
  set_status("volume", level);
  co_return level;
}

Task<bool> SonyBravia::mute(bool on) {
  co_await control("AMUT", number_param(on ? 1 : 0), "mute");
  set_status("mute", on);
  co_return on;
}

Task<Json> SonyBravia::query_power() {
  co_return co_await enquire("POWR", "power?", kUserPriority);
}
Task<Json> SonyBravia::query_input() {
  co_return co_await enquire("INPT", "input?", kUserPriority);
}
Task<Json> SonyBravia::query_volume() {
  co_return co_await enquire("VOLU", "volume?", kUserPriority);
}
Task<Json> SonyBravia::query_mute() {
  co_return co_await enquire("AMUT", "mute?", kUserPriority);
}

Task<void> SonyBravia::poll() {
  if (!online()) co_return;
  co_await enquire("POWR", "poll_power", kPollPriority);
  // In standby the display answers the other enquiries with errors: asking fills the log.
  if (status("power") != Json(true)) co_return;
  co_await enquire("INPT", "poll_input", kPollPriority);
  co_await enquire("VOLU", "poll_volume", kPollPriority);
  co_await enquire("AMUT", "poll_mute", kPollPriority);
}

Received SonyBravia::received(std::string_view frame, Command* pending) {
  if (carry_.empty() && is_frame(frame)) return handle(frame, pending);
  return resynchronise(frame, pending);
}

// The tokenizer cuts every 24 bytes, so garbage whose length is not a multiple of 24 shifts
// every later frame. Frames found in the bytes are still handled; if the cut is now in the
// middle of frames, only a fresh connection (which clears the tokenizer) realigns it.
Received SonyBravia::resynchronise(std::string_view chunk, Command* pending) {
  carry_ += chunk;
  auto outcome = Received::ignore;
  std::string dropped;
  for (;;) {
    auto start = carry_.find("*S");
    if (start == std::string::npos) {
      bool partial_star = !carry_.empty() && carry_.back() == '*';
      dropped += carry_.substr(0, carry_.size() - (partial_star ? 1 : 0));
      carry_ = partial_star ? "*" : "";
      break;
    }
    dropped += carry_.substr(0, start);
    carry_.erase(0, start);
    if (carry_.size() < kFrameSize) break;
    auto candidate = std::string_view(carry_).substr(0, kFrameSize);
    if (!is_frame(candidate)) {
      dropped += carry_.substr(0, 2);
      carry_.erase(0, 2);
      continue;
    }
    auto result = handle(candidate, outcome == Received::ignore ? pending : nullptr);
    if (outcome == Received::ignore) outcome = result;
    carry_.erase(0, kFrameSize);
  }
  if (!dropped.empty())
    log().warn("ignored ", dropped.size(), " bytes that are not Simple IP frames: \"",
               printable(dropped, 96), "\"");
  if (!carry_.empty()) {
    log().warn(
        "the display's frames no longer line up on 24-byte boundaries after the garbage; "
        "reconnecting to realign (check the cable or that nothing else talks on this line)");
    carry_.clear();
    reconnect();
  }
  return outcome;
}

Received SonyBravia::handle(std::string_view frame, Command* pending) {
  const char type = frame[2];
  const auto command = frame.substr(3, 4);
  const auto param = frame.substr(7, kParamSize);
  if (type == 'N') {
    // Notifies may arrive between a command and its answer; they never complete it.
    if (update(command, param).is_null())
      log().debug("ignored notify ", printable(frame.substr(0, kFrameSize - 1)));
    return Received::ignore;
  }
  if (type != 'A') {
    log().debug("ignored a ", type == 'C' ? "control" : "enquiry",
                " frame from the display: ", printable(frame.substr(0, kFrameSize - 1)));
    return Received::ignore;
  }
  const auto& sent = pending ? pending->bytes() : std::string();
  if (sent.size() != kFrameSize || std::string_view(sent).substr(3, 4) != command) {
    log().debug("answer with no matching command pending: ",
                printable(frame.substr(0, kFrameSize - 1)));
    return Received::ignore;
  }
  const bool enquiry = sent[2] == 'E';
  const std::string what = std::string(enquiry ? "enquiry " : "control ") + std::string(command) +
                           " (" + std::string(describe(command)) + ")";
  if (all_of(param, 'F')) {
    pending->set_error(id() + ": the display answered " + std::string(frame.substr(0, 23)) +
                       " (error) to " + what +
                       ": it refused the command; check the display is "
                       "on (most commands fail in standby), the value is valid for this model "
                       "and Simple IP control is enabled");
    return Received::abort;
  }
  if (all_of(param, 'N')) {
    pending->set_error(id() + ": the display answered " + std::string(frame.substr(0, 23)) +
                       " (not found) to " + what + ": this model does not offer it");
    return Received::abort;
  }
  if (!enquiry) {
    pending->set_result(true);
    return Received::success;
  }
  auto value = update(command, param);
  if (value.is_null()) {
    pending->set_error(id() + ": the display answered " + what + " with an unreadable value \"" +
                       printable(param) + "\"");
    return Received::abort;
  }
  pending->set_result(std::move(value));
  return Received::success;
}

Json SonyBravia::update(std::string_view command, std::string_view param) {
  if (command == "INPT") {
    auto name = input_name(param);
    if (!name) return nullptr;
    set_status("input", *name);
    return *name;
  }
  auto number = param_number(param);
  if (!number) return nullptr;
  if (command == "POWR" || command == "AMUT") {
    bool on = *number != 0;
    set_status(command == "POWR" ? "power" : "mute", on);
    return on;
  }
  if (command == "VOLU") {
    if (*number > 100) return nullptr;
    int level = static_cast<int>(*number);
    set_status("volume", level);
    return level;
  }
  return nullptr;
}

}  // namespace roomd::sony_bravia
