#include "drivers/samsung_mdc/samsung_mdc.hpp"

#include "drivers/samsung_mdc/mdc_frame.hpp"
#include "runtime/sdk/printable.hpp"

namespace roomd::samsung_mdc {
namespace {

constexpr int kPollPriority = 10;
constexpr int kUserPriority = 80;
// Broadcast (0xFE) is never answered, so the driver could not tell success from silence.
constexpr int kMaxDisplayId = 0xFD;
// The longest reply this driver asks for (status) has 9 data bytes; a header that claims far
// more is line noise, and dropping it at once finds the next real frame sooner.
constexpr std::size_t kMaxFrame = 64;

std::string byte_string(int value) {
  return std::string(1, static_cast<char>(value));
}

}  // namespace

DriverInfo SamsungMdc::info() {
  DriverInfo info;
  info.name = "samsung_mdc";
  info.description = "Samsung professional display over MDC (TCP 1515 or RS-232 9600 8N1)";
  info.generic_name = "Display";
  info.transport = TransportKind::tcp;
  info.default_port = 1515;
  info.tokenizer = LengthHeaderSpec{
      .start_byte = kHeader, .length_offset = 3, .length_size = 1, .big_endian = true, .adjust = 5};
  info.max_frame = kMaxFrame;
  info.settings = {
      {"display_id", "integer", 1,
       "the display's ID (menu: System > ID setting); 0-253, unique on a daisy chain", false},
      {"poll_every", "duration", "10s", "how often power, input, volume and mute are polled",
       false},
      {"timeout", "duration", "3s",
       "how long to wait for each reply; a command is sent up to 3 times", false},
  };
  info.check_settings = [](const Json& settings) {
    std::vector<SettingsProblem> problems;
    auto it = settings.find("display_id");
    if (it != settings.end() && (!it->is_number_integer() || *it < 0 || *it > kMaxDisplayId))
      problems.push_back({"display_id",
                          "expected 0-253 (254 is broadcast, which displays "
                          "never answer), got " +
                              it->dump()});
    return problems;
  };
  info.status = {
      {"power", "boolean", "true while the display is on"},
      {"input", "string", "hdmi1-hdmi4, displayport, dvi, pc, av, component, magicinfo, ..."},
      {"volume", "integer", "0-100"},
      {"mute", "boolean", "true while the sound is muted"},
  };
  return info;
}

void SamsungMdc::expose(Methods<SamsungMdc>& m) {
  m.method("power", &SamsungMdc::power, {"on"})
      .sets("power")
      .describe("turn the display on or off");
  m.method("switch_to", &SamsungMdc::switch_to, {"input"})
      .sets("input")
      .describe("select an input: " + input_names());
  m.method("volume", &SamsungMdc::volume, {Param("level", Range{0, 100})})
      .sets("volume")
      .describe("set volume 0-100");
  m.method("mute", &SamsungMdc::mute, {Param("on", true)}).sets("mute").describe("mute the sound");
  m.method("status?", &SamsungMdc::query_status)
      .describe("query power, input, volume and mute in one request");
  m.method("power?", &SamsungMdc::query_power);
  m.method("input?", &SamsungMdc::query_input);
  m.method("volume?", &SamsungMdc::query_volume);
  m.method("mute?", &SamsungMdc::query_mute);
}

Task<void> SamsungMdc::on_load() {
  display_id_ = static_cast<std::uint8_t>(setting<int>("display_id"));
  every(setting_duration("poll_every"), [this] { return poll(); });
  co_return;
}

Task<void> SamsungMdc::connected() {
  // Learn the display's state now rather than one poll period after every reconnect.
  in(Duration::zero(), [this] { return poll(); });
  co_return;
}

Task<Json> SamsungMdc::command(std::uint8_t cmd, std::string data, SendOptions options) {
  options.timeout = setting_duration("timeout");
  return send(make_frame(cmd, display_id_, data), options);
}

Task<bool> SamsungMdc::power(bool on) {
  auto data = byte_string(on ? 1 : 0);
  auto value =
      co_await command(kCmdPower, std::move(data), {.name = "power", .priority = kUserPriority});
  co_return value.get<bool>();
}

Task<std::string> SamsungMdc::switch_to(std::string input) {
  auto code = input_code(input);
  if (!code)
    throw BadArguments("switch_to(input: string): unknown input \"" + input +
                       "\" for a Samsung MDC display; use one of: " + input_names());
  auto data = byte_string(*code);
  auto value =
      co_await command(kCmdInput, std::move(data), {.name = "input", .priority = kUserPriority});
  co_return value.get<std::string>();
}

Task<int> SamsungMdc::volume(int level) {
  auto data = byte_string(level);
  auto value =
      co_await command(kCmdVolume, std::move(data), {.name = "volume", .priority = kUserPriority});
  co_return value.get<int>();
}

Task<bool> SamsungMdc::mute(bool on) {
  auto data = byte_string(on ? 1 : 0);
  auto value =
      co_await command(kCmdMute, std::move(data), {.name = "mute", .priority = kUserPriority});
  co_return value.get<bool>();
}

Task<Json> SamsungMdc::query_status() {
  std::string none;
  co_return co_await command(kCmdStatus, std::move(none),
                             {.name = "status?", .priority = kUserPriority});
}

Task<bool> SamsungMdc::query_power() {
  std::string none;
  auto value =
      co_await command(kCmdPower, std::move(none), {.name = "power?", .priority = kUserPriority});
  co_return value.get<bool>();
}

Task<std::string> SamsungMdc::query_input() {
  std::string none;
  auto value =
      co_await command(kCmdInput, std::move(none), {.name = "input?", .priority = kUserPriority});
  co_return value.get<std::string>();
}

Task<int> SamsungMdc::query_volume() {
  std::string none;
  auto value =
      co_await command(kCmdVolume, std::move(none), {.name = "volume?", .priority = kUserPriority});
  co_return value.get<int>();
}

Task<bool> SamsungMdc::query_mute() {
  std::string none;
  auto value =
      co_await command(kCmdMute, std::move(none), {.name = "mute?", .priority = kUserPriority});
  co_return value.get<bool>();
}

Task<void> SamsungMdc::poll() {
  if (!online()) co_return;
  std::string none;
  co_await command(kCmdStatus, std::move(none), {.name = "poll_status", .priority = kPollPriority});
}

Json SamsungMdc::apply(std::uint8_t rcmd, std::string_view data) {
  auto at = [&](std::size_t i) { return static_cast<std::uint8_t>(data[i]); };
  switch (rcmd) {
    case kCmdStatus: {
      if (data.size() < 4) break;
      Json state = {{"power", at(0) == 1},
                    {"volume", static_cast<int>(at(1))},
                    {"mute", at(2) == 1},
                    {"input", input_name(at(3))}};
      for (const auto& [name, value] : state.items()) set_status(name, value);
      return state;
    }
    case kCmdPower:
    case kCmdMute:
      if (data.empty()) break;
      set_status(rcmd == kCmdPower ? "power" : "mute", at(0) == 1);
      return at(0) == 1;
    case kCmdVolume:
      if (data.empty()) break;
      set_status("volume", static_cast<int>(at(0)));
      return static_cast<int>(at(0));
    case kCmdInput:
      if (data.empty()) break;
      set_status("input", input_name(at(0)));
      return input_name(at(0));
    default:
      return nullptr;
  }
  log().warn("display ", static_cast<int>(display_id_), " answered ", command_name(rcmd),
             " with too few data bytes: ", to_hex(data));
  return nullptr;
}

Received SamsungMdc::received(std::string_view frame, Command* pending) {
  std::string why;
  auto parsed = parse_frame(frame, &why);
  std::optional<Reply> reply;
  if (parsed) reply = parse_reply(*parsed, &why);
  if (!reply) {
    log().warn("ignored a frame from the display: ", why, ": ", to_hex(frame));
    return Received::ignore;
  }
  if (reply->id != display_id_) {
    // On a daisy chain another display may answer; anywhere else the IDs disagree.
    log().warn("ignored a reply from display id ", static_cast<int>(reply->id),
               "; this module talks to display id ", static_cast<int>(display_id_),
               " (check settings.display_id matches the display's ID menu): ", to_hex(frame));
    return Received::ignore;
  }
  const bool answers_pending = pending && pending->bytes().size() > 1 &&
                               static_cast<std::uint8_t>(pending->bytes()[1]) == reply->rcmd;
  if (!reply->ack) {
    auto error = reply->data.empty() ? std::string("none")
                                     : hex_byte(static_cast<std::uint8_t>(reply->data[0]));
    auto text = id() + ": display " + std::to_string(display_id_) + " refused " +
                command_name(reply->rcmd) + " (MDC command " + hex_byte(reply->rcmd) +
                ", NAK error byte " + error +
                "); check the display supports it in its current state (on, source) and the "
                "value is valid";
    if (!answers_pending) {
      log().warn("unexpected NAK with no such command pending: ", text);
      return Received::ignore;
    }
    pending->set_error(text);
    return Received::abort;
  }
  auto value = apply(reply->rcmd, reply->data);
  if (!answers_pending) return Received::ignore;
  if (value.is_null()) {
    pending->set_error(id() + ": display " + std::to_string(display_id_) + " answered " +
                       command_name(reply->rcmd) + " without its value: " + to_hex(frame));
    return Received::abort;
  }
  pending->set_result(std::move(value));
  return Received::success;
}

}  // namespace roomd::samsung_mdc
