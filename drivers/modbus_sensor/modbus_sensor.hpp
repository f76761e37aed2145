// A generic Modbus sensor: a register map in settings becomes one status variable per
// register, polled at its own rate with a deadband, plus `write` for holding registers and
// coils. The Senseair S8 and XY-MD02 drivers are this driver with a preset map.
#pragma once

#include "drivers/modbus_sensor/register_map.hpp"
#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/methods.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace roomd::modbus {

class ModbusSensor : public Driver {
 public:
  static DriverInfo info();
  static void expose(Methods<ModbusSensor>& m) { expose_common(m); }

  template <class D>
  static void expose_common(Methods<D>& m) {
    m.method("write", static_cast<Task<Json> (D::*)(std::string, Json)>(&D::write),
             {"name", "value"})
        .describe("write a holding register or coil from the register map by name");
    m.method("read", static_cast<Task<Json> (D::*)(std::string)>(&D::read), {"name"})
        .describe("read a register now (not waiting for the next poll)");
  }

  Task<Json> write(std::string name, Json value);
  Task<Json> read(std::string name);

  Task<void> on_load() override;

 protected:
  // Info with everything but name, description and the default register map.
  static DriverInfo base_info(std::string name, std::string description, Json registers);

 private:
  const RegisterSpec& find(const std::string& name) const;
  Task<void> poll(std::size_t group);
  void publish(const RegisterSpec& spec, double value);
  // A register's value in what a read answered, from `offset` on; a bus that answered fewer
  // values than the register needs is a RequestFailed naming it, never a read past the end.
  double value_of(const RegisterSpec& spec, const std::vector<std::uint16_t>& words,
                  std::size_t offset) const;
  double bit_of(const RegisterSpec& spec, const std::vector<std::uint8_t>& bits,
                std::size_t offset) const;
  void require_answered(const RegisterSpec& spec, std::size_t answered, std::size_t offset) const;

  std::vector<RegisterSpec> registers_;
  std::vector<PollGroup> groups_;
  std::vector<bool> failing_;  // per group, so a dead sensor is reported once, not per poll
  std::map<std::string, double> published_;
};

}  // namespace roomd::modbus
