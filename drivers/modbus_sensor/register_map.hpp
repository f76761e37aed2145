// A Modbus sensor's register map from settings: what each register is called, where it
// lives, how it decodes, and how often it is polled. Adjacent registers polled at the same
// rate are read in one request.
#pragma once

#include "base/asio.hpp"
#include "base/json.hpp"
#include "runtime/sdk/driver_info.hpp"
#include "transports/modbus_types.hpp"

#include <string>
#include <vector>

namespace roomd::modbus {

struct RegisterSpec {
  std::string name;
  Table table = Table::input_register;
  std::uint16_t address = 0;
  RegisterType type = RegisterType::u16;
  WordOrder order = WordOrder::high_first;
  double scale = 1.0;
  double offset = 0.0;
  std::string unit;
  Duration every{5000};
  double deadband = 0.0;  // a change smaller than this is not published
};

struct PollGroup {
  Table table;
  std::uint16_t address;
  std::uint16_t count;  // registers or bits
  Duration every;
  std::vector<const RegisterSpec*> members;
};

// Parses settings.registers; every problem is appended with its path ("registers[1].type").
std::vector<RegisterSpec> parse_register_map(const Json& registers,
                                             std::vector<SettingsProblem>& problems);

// Groups registers of the same table and rate whose addresses are contiguous, within the
// Modbus limits of one request (125 registers, 2000 bits).
std::vector<PollGroup> plan_polls(const std::vector<RegisterSpec>& registers);

}  // namespace roomd::modbus
