#include "drivers/sony_bravia/bravia_sim_state.hpp"

#include "drivers/sony_bravia/sony_bravia.hpp"

#include <stdexcept>

namespace roomd::sony_bravia {
namespace {

const std::string kSuccess(kParamSize, '0');

}  // namespace

std::string error_answer(std::string_view command) {
  return make_frame('A', command, std::string(kParamSize, 'F'));
}

SimState::SimState(const SimulatorOptions& options)
    : options_(options), power_(options.powered_on), volume_(options.volume) {}

bool SimState::has_input(const std::string& name) const {
  if (name == "composite1" || name == "component1" || name == "mirroring1") return true;
  for (int i = 1; i <= options_.hdmi_inputs; ++i)
    if (name == "hdmi" + std::to_string(i)) return true;
  return false;
}

std::optional<SimReply> SimState::handle(std::string_view frame) {
  if (!is_frame(frame)) return std::nullopt;
  const char type = frame[2];
  const auto command = frame.substr(3, 4);
  const auto param = frame.substr(7, kParamSize);
  SimReply reply;
  if (type == 'C') {
    reply.answer = control(command, param, reply.notifies);
  } else if (type == 'E') {
    if (param != "################") {
      reply.answer = error_answer(command);
    } else {
      reply.answer = enquiry(command);
    }
  } else {
    return std::nullopt;
  }
  return reply;
}

std::string SimState::control(std::string_view command, std::string_view param,
                              std::vector<std::string>& notifies) {
  auto number = param_number(param);
  auto keep = [&](std::optional<std::string> notify) {
    if (notify) notifies.push_back(std::move(*notify));
    return make_frame('A', command, kSuccess);
  };
  if (command == "POWR") {
    if (!number || *number > 1) return error_answer(command);
    return keep(set_power(*number == 1));
  }
  // Like a real set in standby: only power is accepted.
  if (!power_) return error_answer(command);
  if (command == "INPT") {
    auto name = input_name(param);
    if (!name || !has_input(*name)) return error_answer(command);
    return keep(set_input(*name));
  }
  if (command == "VOLU") {
    if (!number || *number > 100) return error_answer(command);
    return keep(set_volume(static_cast<int>(*number)));
  }
  if (command == "AMUT") {
    if (!number || *number > 1) return error_answer(command);
    return keep(set_mute(*number == 1));
  }
  return error_answer(command);
}

std::string SimState::enquiry(std::string_view command) const {
  if (command == "POWR") return make_frame('A', command, number_param(power_ ? 1 : 0));
  if (!power_) return error_answer(command);
  if (command == "INPT") return make_frame('A', command, *input_param(input_));
  if (command == "VOLU") return make_frame('A', command, number_param(volume_));
  if (command == "AMUT") return make_frame('A', command, number_param(muted_ ? 1 : 0));
  return error_answer(command);
}

std::optional<std::string> SimState::set_power(bool on) {
  if (power_ == on) return std::nullopt;
  power_ = on;
  return make_frame('N', "POWR", number_param(on ? 1 : 0));
}

std::optional<std::string> SimState::set_input(const std::string& name) {
  if (!has_input(name)) throw std::invalid_argument("the simulated display has no input " + name);
  if (input_ == name) return std::nullopt;
  input_ = name;
  return make_frame('N', "INPT", *input_param(name));
}

std::optional<std::string> SimState::set_volume(int level) {
  if (level < 0 || level > 100) throw std::invalid_argument("volume must be 0-100");
  if (volume_ == level) return std::nullopt;
  volume_ = level;
  return make_frame('N', "VOLU", number_param(level));
}

std::optional<std::string> SimState::set_mute(bool on) {
  if (muted_ == on) return std::nullopt;
  muted_ = on;
  return make_frame('N', "AMUT", number_param(on ? 1 : 0));
}

}  // namespace roomd::sony_bravia
