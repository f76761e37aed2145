#include "drivers/pjlink/pjlink_sim_state.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <utility>

namespace roomd::pjlink {
namespace {

constexpr std::string_view kOk = "OK";
constexpr std::string_view kUndefinedCommand = "ERR1";
constexpr std::string_view kOutOfParameter = "ERR2";
constexpr std::string_view kUnavailableTime = "ERR3";
constexpr std::string_view kDeviceFailure = "ERR4";
constexpr int kMaxLampHours = 99999;  // the spec's range for the LAMP answer

char power_digit(PowerState state) {
  return static_cast<char>('0' + static_cast<int>(state));
}

bool valid_input_syntax(std::string_view param) {
  return param.size() == 2 && param[0] >= '1' && param[0] <= '5' && param[1] >= '1' &&
         param[1] <= '9';
}

}  // namespace

SimState::SimState(const SimulatorOptions& options)
    : options_(options), lamp_base_hours_(std::clamp(options.lamp_hours, 0, kMaxLampHours)) {
  if (!options_.inputs.empty()) input_ = options_.inputs.front();
  if (options_.powered_on) {
    phase_ = PowerState::on;
    lamp_on_since_ = std::chrono::steady_clock::now();
  }
}

std::optional<std::string> SimState::handle(std::string_view line, TimePoint now) {
  // A device cannot echo a command it could not even read, so anything without the header
  // and a four-letter body gets no answer at all.
  if (line.size() < 6 || line[0] != '%' || !std::isdigit(static_cast<unsigned char>(line[1]))) {
    return std::nullopt;
  }
  std::string body(line.substr(2, 4));
  std::transform(body.begin(), body.end(), body.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::string answer = "%";
  answer += line[1];
  answer += body;
  answer += '=';
  auto reply = [&](std::string_view result) { return answer.append(result); };

  // Class 2 commands reach class 1 devices from newer controllers; they do not know them.
  if (line[1] != '1') return reply(kUndefinedCommand);
  std::string_view rest = line.substr(6);
  if (!rest.empty() && rest[0] != ' ') return reply(kUndefinedCommand);
  const bool has_param = !rest.empty();
  const std::string_view param = has_param ? rest.substr(1) : std::string_view{};

  settle(now);
  auto query = [&](auto&& value) -> std::string {
    if (!has_param) return reply(kOutOfParameter);
    return param == "?" ? reply(value) : reply(kOutOfParameter);
  };

  if (body == "POWR") return has_param ? reply(power_command(param, now)) : reply(kOutOfParameter);
  if (body == "INPT") return has_param ? reply(input_command(param, now)) : reply(kOutOfParameter);
  if (body == "AVMT") return has_param ? reply(mute_command(param, now)) : reply(kOutOfParameter);
  if (body == "ERST") return query(errors_);
  if (body == "LAMP") return query(lamp_answer(now));
  if (body == "INST") {
    std::string list;
    for (const auto& in : options_.inputs) list += (list.empty() ? "" : " ") + in;
    return query(list);
  }
  if (body == "NAME") return query(options_.name);
  if (body == "INF1") return query(options_.manufacturer);
  if (body == "INF2") return query(options_.product);
  if (body == "INFO") return query(options_.info);
  if (body == "CLSS") return query(std::string_view("1"));
  return reply(kUndefinedCommand);
}

std::string SimState::power_command(std::string_view param, TimePoint now) {
  if (param == "?") return std::string(1, power_digit(phase_));
  if (param == "1") {
    switch (phase_) {
      case PowerState::standby:
        // A projector with a dead fan, lamp, overheating or open cover refuses to strike.
        for (std::size_t i = 0; i < 4; ++i) {
          if (errors_[i] == '2') return std::string(kDeviceFailure);
        }
        phase_ = PowerState::warming;
        phase_end_ = now + options_.warmup;
        lamp_on_since_ = now;
        return std::string(kOk);
      case PowerState::warming:
      case PowerState::on:
        return std::string(kOk);
      case PowerState::cooling:
        return std::string(kUnavailableTime);
    }
  }
  if (param == "0") {
    switch (phase_) {
      case PowerState::on:
        phase_ = PowerState::cooling;
        phase_end_ = now + options_.cooldown;
        lamp_burned_ += now - lamp_on_since_;
        // Mute is a property of the running picture; projectors come back unmuted.
        video_muted_ = audio_muted_ = false;
        return std::string(kOk);
      case PowerState::cooling:
      case PowerState::standby:
        return std::string(kOk);
      case PowerState::warming:
        // Cutting a lamp that has not stabilised shortens its life; real projectors refuse.
        return std::string(kUnavailableTime);
    }
  }
  return std::string(kOutOfParameter);
}

std::string SimState::input_command(std::string_view param, TimePoint now) {
  if (param == "?") return accepts_av_changes(now) ? input_ : std::string(kUnavailableTime);
  if (!valid_input_syntax(param)) return std::string(kOutOfParameter);
  if (!accepts_av_changes(now)) return std::string(kUnavailableTime);
  if (std::find(options_.inputs.begin(), options_.inputs.end(), param) == options_.inputs.end()) {
    return std::string(kOutOfParameter);
  }
  input_ = std::string(param);
  return std::string(kOk);
}

std::string SimState::mute_command(std::string_view param, TimePoint now) {
  if (param == "?") {
    if (!accepts_av_changes(now)) return std::string(kUnavailableTime);
    if (video_muted_ && audio_muted_) return "31";
    if (video_muted_) return "11";
    if (audio_muted_) return "21";
    return "30";
  }
  if (param.size() != 2 || param[0] < '1' || param[0] > '3' ||
      (param[1] != '0' && param[1] != '1')) {
    return std::string(kOutOfParameter);
  }
  if (!accepts_av_changes(now)) return std::string(kUnavailableTime);
  const bool mute = param[1] == '1';
  if (param[0] != '2') video_muted_ = mute;
  if (param[0] != '1') audio_muted_ = mute;
  return std::string(kOk);
}

std::string SimState::lamp_answer(TimePoint now) const {
  return std::to_string(lamp_hours(now)) + (lamp_on() ? " 1" : " 0");
}

void SimState::settle(TimePoint now) {
  phase_ = power(now);
}

PowerState SimState::power(TimePoint now) const {
  if (phase_ == PowerState::warming && now >= phase_end_) return PowerState::on;
  if (phase_ == PowerState::cooling && now >= phase_end_) return PowerState::standby;
  return phase_;
}

bool SimState::accepts_av_changes(TimePoint now) const {
  switch (power(now)) {
    case PowerState::on:
      return true;
    case PowerState::warming:
      return !busy_while_warming_;
    default:
      return false;
  }
}

int SimState::lamp_hours(TimePoint now) const {
  auto burned = lamp_burned_;
  if (lamp_on()) burned += now - lamp_on_since_;
  long long hours = lamp_base_hours_;
  if (options_.lamp_hour.count() > 0) hours += burned / options_.lamp_hour;
  return static_cast<int>(std::min<long long>(hours, kMaxLampHours));
}

void SimState::set_errors(std::string errors) {
  const bool valid = errors.size() == 6 && std::all_of(errors.begin(), errors.end(),
                                                       [](char c) { return c >= '0' && c <= '2'; });
  if (!valid) {
    throw std::invalid_argument("pjlink simulator: errors must be 6 digits 0-2, got \"" + errors +
                                "\"");
  }
  errors_ = std::move(errors);
}

void SimState::set_lamp_hours(int hours, TimePoint now) {
  lamp_base_hours_ = std::clamp(hours, 0, kMaxLampHours);
  lamp_burned_ = {};
  lamp_on_since_ = now;
}

}  // namespace roomd::pjlink
