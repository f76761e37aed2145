// What a driver declares about itself: name, generic module name, default transport,
// tokenizer, typed settings, status variables and methods. `roomd drivers` prints it and
// the config check validates settings against it.
#pragma once

#include "base/json.hpp"
#include "transports/tokenizer.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace roomd {

// `bytes` drivers run over any byte transport (tcp, udp, serial); the kind names the
// default one. `modbus` drivers run over modbus_tcp or modbus_rtu.
enum class TransportKind { none, tcp, udp, serial, modbus };

inline const char* to_string(TransportKind kind) {
  switch (kind) {
    case TransportKind::tcp:
      return "tcp";
    case TransportKind::udp:
      return "udp";
    case TransportKind::serial:
      return "serial";
    case TransportKind::modbus:
      return "modbus";
    case TransportKind::none:
      break;
  }
  return "none";
}

// A problem found in a module's settings by the driver itself: `path` is relative to the
// module's settings ("registers[2].table").
struct SettingsProblem {
  std::string path;
  std::string message;
};

// The closed interval a number parameter accepts ("level" 0-100): argument binding refuses
// anything outside it before the driver runs, and the panel's number fields carry it.
struct Range {
  double min = 0;
  double max = 0;
  bool contains(double value) const { return value >= min && value <= max; }
  Json to_json() const;        // [0, 100]: whole numbers as integers
  std::string phrase() const;  // "from 0 to 100"
};

struct ParamInfo {
  std::string name;
  std::string type;  // JSON type: boolean, integer, number, string, array, object, any
  std::optional<Json> default_value;
  std::optional<Range> range;  // integer and number parameters only
};

struct MethodInfo {
  std::string name;
  std::vector<ParamInfo> params;
  std::string returns;  // JSON type of the result, "null" for none
  std::string sets;     // status variable this method writes, if any
  std::string description;
  bool privileged = false;        // admin keys only
  std::string signature() const;  // "power(on: boolean)"
};

struct SettingInfo {
  std::string name;
  std::string type;  // boolean, integer, number, string, duration, array, object
  Json default_value;
  std::string description;
  bool secret = false;  // never printed or logged (passwords)
};

struct StatusInfo {
  std::string name;
  std::string type;
  std::string description;
};

struct DriverInfo {
  std::string name;  // "pjlink"
  std::string description;
  std::string generic_name;  // Projector, Display, Switcher, Sensor, System
  TransportKind transport = TransportKind::none;
  std::uint16_t default_port = 0;
  TokenizerSpec tokenizer;
  std::size_t max_frame = 4096;
  // true: after the link comes up the driver completes a handshake (greeting, login) and
  // calls ready(); until then the queue holds commands and `connected` stays false.
  bool handshake = false;
  int default_unit = 1;  // modbus drivers: the unit id when the config gives none
  // Checks what types alone cannot (a register map); run by check-config before anything starts.
  std::function<std::vector<SettingsProblem>(const Json& settings)> check_settings;
  std::vector<SettingInfo> settings;
  std::vector<StatusInfo> status;
  std::vector<MethodInfo> methods;  // filled from the driver's expose()
};

Json to_json(const DriverInfo& info);

}  // namespace roomd
