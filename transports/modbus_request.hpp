// One Modbus request for a unit and its result, as a driver makes it and a bus answers it:
// read or write registers or coils, with a message for people when it failed.
#pragma once

#include "transports/modbus_types.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace roomd::modbus {

struct Request {
  int unit = 1;
  Table table = Table::holding_register;
  std::uint16_t address = 0;
  std::uint16_t count = 1;
  bool write = false;
  std::vector<std::uint16_t> registers;  // values to write (register tables)
  std::vector<std::uint8_t> bits;        // values to write (coils), 0 or 1
  bool poll = false;  // polls yield to everything else and are held back for a tripped slave
};

struct Result {
  bool ok = false;
  bool timeout = false;
  int exception = 0;  // Modbus exception code from the slave, 0 for none
  std::string error;  // for people: bus, unit, table, address, what happened, what to check
  std::vector<std::uint16_t> registers;  // read results (register tables)
  std::vector<std::uint8_t> bits;        // read results (bit tables)
};

}  // namespace roomd::modbus
