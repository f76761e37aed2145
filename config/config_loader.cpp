// roomd's config schema: which fields each section has and how they depend on each other,
// read with the validation toolkit (config/object_reader.hpp). Every problem is collected
// with its JSON path instead of stopping at the first one, so a technician on site can fix
// the file in one pass.
#include "config/config.hpp"

#include "base/json_parse.hpp"
#include "base/units.hpp"
#include "config/alert_schema.hpp"
#include "config/dialects_schema.hpp"
#include "config/json_checks.hpp"
#include "config/object_reader.hpp"
#include "config/tls_pair.hpp"
#include "config/upstream_schema.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <variant>
namespace roomd {
namespace {

using namespace validation;

// Id -> path of the element that declared it first, for "(first at modules[0])".
using FirstSeen = std::map<std::string, std::string, std::less<>>;

constexpr std::array<std::string_view, 3> kRoles = {"viewer", "operator", "admin"};
constexpr std::array<std::string_view, 5> kTransportKinds = {"tcp", "udp", "serial", "modbus_tcp",
                                                             "modbus_rtu"};

// "host:port", split at the last colon so that "[::1]:8080" works too.
std::optional<std::string> as_listen_address(const Json& value, const Validator& v) {
  auto text = as_string(value, v);
  if (!text) return std::nullopt;
  const std::size_t colon = text->rfind(':');
  const std::string port = colon == std::string::npos ? "" : text->substr(colon + 1);
  const bool port_ok =
      !port.empty() && port.size() <= 5 &&
      std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      std::stoul(port) >= 1 && std::stoul(port) <= 65535;
  if (colon == 0 || !port_ok) {
    v.error("expected \"host:port\" such as \"0.0.0.0:8080\", got " + describe(value));
    return std::nullopt;
  }
  return text;
}

// The value is not echoed: a plain key pasted here by mistake must not land in a log.
std::optional<std::string> as_sha256_hex(const Json& value, const Validator& v) {
  auto text = as_string(value, v);
  if (!text) return std::nullopt;
  const bool is_hex = std::all_of(text->begin(), text->end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (text->size() != 64 || !is_hex) {
    v.error("expected 64 lowercase hex digits (a SHA-256 hash)");
    return std::nullopt;
  }
  return text;
}

constexpr std::array<std::string_view, 3> kParities = {"none", "even", "odd"};
constexpr std::array<std::string_view, 3> kFlowControls = {"none", "rtscts", "xonxoff"};
std::optional<int> as_baud(const Json& value, const Validator& v) {
  if (!value.is_number()) {
    type_error(v, "an integer", value);
    return std::nullopt;
  }
  const bool standard =
      value.is_number_integer() && std::find(kStandardBaudRates.begin(), kStandardBaudRates.end(),
                                             value.get<std::int64_t>()) != kStandardBaudRates.end();
  if (!standard) {
    std::string rates;
    for (int rate : kStandardBaudRates) rates += (rates.empty() ? "" : ", ") + std::to_string(rate);
    v.error("expected a standard baud rate (" + rates + "), got " + value.dump());
    return std::nullopt;
  }
  return static_cast<int>(value.get<std::int64_t>());
}

std::optional<int> as_stop_bits(const Json& value, const Validator& v) {
  if (!value.is_number()) {
    type_error(v, "an integer", value);
    return std::nullopt;
  }
  if (value != 1 && value != 2) {
    v.error("expected 1 or 2, got " + value.dump());
    return std::nullopt;
  }
  return value.get<int>();
}
// USB ids as `roomd ports` and lsusb print them; stored lowercase so "0403" matches "0403"
// however the file spells it.
std::optional<std::string> as_usb_id(const Json& value, const Validator& v) {
  const auto* text = value.get_ptr<const std::string*>();
  const bool ok =
      text != nullptr && text->size() == 4 && std::all_of(text->begin(), text->end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      });
  if (!ok) {
    v.error("expected a string of 4 hex digits such as \"0403\", got " + describe(value));
    return std::nullopt;
  }
  std::string id = *text;
  std::transform(id.begin(), id.end(), id.begin(),
                 [](char c) { return (c >= 'A' && c <= 'F') ? static_cast<char>(c + 32) : c; });
  return id;
}
bool is_valid_id(std::string_view id) {
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

// Systems address modules as "<name>_<index>" ("Display_1"), so a name that already ends
// that way would be ambiguous.
bool ends_in_index(std::string_view name) {
  const std::size_t underscore = name.rfind('_');
  if (underscore == std::string_view::npos || underscore + 1 == name.size()) return false;
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(underscore) + 1, name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// Records `id` as declared by the element `r` reads, unless an earlier element did.
void check_unique(const ObjectReader& r, const std::string& id, std::string_view what,
                  FirstSeen& seen) {
  const auto [first, inserted] = seen.emplace(id, r.path());
  if (inserted) return;
  r.at("id").error("duplicate " + std::string(what) + " id " + json_quote(id) + " (first at " +
                   first->second + ")");
}

// Module and system ids end up in topics and URLs, hence the restricted characters.
void read_id(ObjectReader& r, std::string& id, std::string_view what, FirstSeen& seen) {
  if (!r.string("id", id, kRequired)) return;
  if (!is_valid_id(id)) r.at("id").error(R"(may only contain letters, digits, "_", "." and "-")");
  check_unique(r, id, what, seen);
}

void read_backoff(ObjectReader& r, Duration& min, Duration& max) {
  const bool min_ok = r.duration("backoff_min", min);
  const bool max_ok = r.duration("backoff_max", max);
  if (min_ok && max_ok && max < min) r.at("backoff_max").error("must not be less than backoff_min");
}

// A device path, or {"usb": {"vid", "pid", "serial"}} for an adapter that may come back
// under another name.
std::optional<SerialPortSpec> as_port_spec(const Json& value, const Validator& v) {
  if (value.is_string()) {
    auto path = as_string(value, v);
    if (!path) return std::nullopt;
    if (path->front() != '/') {
      v.error("expected an absolute path such as \"/dev/ttyUSB0\", got " + describe(value));
      return std::nullopt;
    }
    return SerialPortSpec{.path = *std::move(path)};
  }
  if (!value.is_object()) {
    v.error(R"(expected a device path or {"usb": {"vid": ..., "pid": ...}}, got )" +
            std::string(value.type_name()));
    return std::nullopt;
  }
  ObjectReader r(value, v);
  const std::size_t errors = r.error_count();
  ObjectReader usb = r.child("usb", kRequired);
  UsbIdentity id;
  usb.read("vid", id.vid, kRequired, as_usb_id);
  usb.read("pid", id.pid, kRequired, as_usb_id);
  usb.string("serial", id.serial);
  usb.reject_unknown_keys();
  r.reject_unknown_keys();
  if (r.error_count() != errors) return std::nullopt;
  return SerialPortSpec{.usb = std::move(id)};
}

void read_line(ObjectReader& r, SerialLineConfig& line) {
  r.read("baud", line.baud, kOptional, as_baud);
  r.read("data_bits", line.data_bits, kOptional,
         [](const Json& value, const Validator& v) { return as_int_in(value, v, 5, 8); });
  r.choice("parity", line.parity, kParities, kOptional);
  r.read("stop_bits", line.stop_bits, kOptional, as_stop_bits);
}

void read_bus(ObjectReader& r, ModbusBusConfig& bus) {
  r.read("timeout", bus.timeout, kOptional, as_positive_duration);
  r.duration("gap", bus.gap);
  r.read("breaker_after", bus.breaker_after, kOptional, as_at_least_one);
  r.read("breaker_retry", bus.breaker_retry, kOptional, as_positive_duration);
}

// Modbus RTU's silent interval of 3.5 characters (start bit, data, parity, stop bits), in
// whole milliseconds rounded up; at least 2 ms, since timers are not precise enough below.
Duration rtu_gap(const SerialLineConfig& line) {
  constexpr std::int64_t kMinGapMs = 2;
  const std::int64_t bits = 1 + line.data_bits + (line.parity == "none" ? 0 : 1) + line.stop_bits;
  const std::int64_t per_ten_seconds = 10 * static_cast<std::int64_t>(line.baud);
  const std::int64_t ms = (35 * 1000 * bits + per_ten_seconds - 1) / per_ten_seconds;
  return Duration{std::max(ms, kMinGapMs)};
}

SerialTransportConfig parse_serial(ObjectReader r) {
  SerialTransportConfig serial;
  r.read("port", serial.port, kRequired, as_port_spec);
  read_line(r, serial.line);
  r.choice("flow_control", serial.line.flow_control, kFlowControls, kOptional);
  read_backoff(r, serial.backoff_min, serial.backoff_max);
  r.reject_unknown_keys();
  return serial;
}

ModbusTcpConfig parse_modbus_tcp(ObjectReader r) {
  ModbusTcpConfig tcp;
  r.string("host", tcp.host, kRequired);
  // Unlike tcp, there is no driver default to ask for with 0.
  if (r.port("port", tcp.port) && tcp.port == 0) r.at("port").error("expected 1-65535, got 0");
  // libmodbus takes 0-247, and 255 for "the device behind this gateway"; 248-254 are reserved.
  r.read("unit", tcp.unit, kOptional, [](const Json& value, const Validator& v) {
    if (!value.is_number()) return as_int_in(value, v, 0, 247);  // reports the type
    bool valid = value.is_number_integer() &&
                 ((value.get<std::int64_t>() >= 0 && value.get<std::int64_t>() <= 247) ||
                  value.get<std::int64_t>() == 255);
    if (!valid) {
      v.error("expected 0-247 or 255, got " + value.dump());
      return std::optional<int>();
    }
    return std::optional<int>(value.get<int>());
  });
  read_bus(r, tcp.bus);
  r.reject_unknown_keys();
  return tcp;
}

ModbusRtuConfig parse_modbus_rtu(ObjectReader r) {
  ModbusRtuConfig rtu;
  r.read("port", rtu.port, kRequired, as_port_spec);
  read_line(r, rtu.line);
  // 0 is broadcast (no answer) and 248-255 are reserved; libmodbus sends 1-247 only.
  r.read("unit", rtu.unit, kOptional,
         [](const Json& value, const Validator& v) { return as_int_in(value, v, 1, 247); });
  read_bus(r, rtu.bus);
  if (!r.has("gap")) rtu.bus.gap = rtu_gap(rtu.line);
  r.reject_unknown_keys();
  return rtu;
}

// Modules on one Modbus bus share its worker and its timing, so they must agree on it; and
// a serial port can be opened by one module only (Modbus RTU modules share it as a bus).
class SharedPorts {
 public:
  // `v` is the module's "transport" path; `module` the module's own ("modules[3]").
  void add(const TransportConfig& transport, const Validator& v, const std::string& module) {
    if (const auto* serial = std::get_if<SerialTransportConfig>(&transport)) {
      add_serial(serial->port, v.key("serial"), module);
    } else if (const auto* tcp = std::get_if<ModbusTcpConfig>(&transport)) {
      add_bus("modbus_tcp " + tcp->host + ":" + std::to_string(tcp->port),
              tcp->host + ":" + std::to_string(tcp->port), v.key("modbus_tcp"), module, tcp->unit,
              tcp->bus, nullptr);
    } else if (const auto* rtu = std::get_if<ModbusRtuConfig>(&transport)) {
      const Validator at = v.key("modbus_rtu");
      const std::string port = rtu->port.describe();
      if (const auto it = serial_users_.find(port); it != serial_users_.end()) {
        at.key("port").error("port " + port + " is already used by " + it->second);
        return;
      }
      add_bus("port " + port, port, at, module, rtu->unit, rtu->bus, &rtu->line);
    }
  }

 private:
  struct Bus {
    std::string first;  // the module that defined the bus settings
    ModbusBusConfig settings;
    std::optional<SerialLineConfig> line;
    FirstSeen units;
  };

  void add_serial(const SerialPortSpec& spec, const Validator& v, const std::string& module) {
    const std::string port = spec.describe();
    std::string user;
    if (const auto it = serial_users_.find(port); it != serial_users_.end()) user = it->second;
    if (const auto it = buses_.find("port " + port); it != buses_.end()) user = it->second.first;
    if (!user.empty()) {
      v.key("port").error("port " + port + " is already used by " + user);
      return;
    }
    serial_users_.emplace(port, module);
  }

  void add_bus(const std::string& key, const std::string& name, const Validator& v,
               const std::string& module, int unit, const ModbusBusConfig& settings,
               const SerialLineConfig* line) {
    const auto [it, inserted] = buses_.try_emplace(key);
    Bus& bus = it->second;
    if (inserted) {
      bus.first = module;
      bus.settings = settings;
      if (line != nullptr) bus.line = *line;
    } else {
      const auto differs = [&](std::string_view field, bool same, const std::string& first) {
        if (same) return false;
        v.key(field).error("bus " + name + " is already used by " + bus.first + " with " +
                           std::string(field) + " " + first);
        return true;
      };
      bool line_differs = false;
      if (line != nullptr && bus.line) {
        const SerialLineConfig& l = *bus.line;
        line_differs |= differs("baud", line->baud == l.baud, std::to_string(l.baud));
        line_differs |=
            differs("data_bits", line->data_bits == l.data_bits, std::to_string(l.data_bits));
        line_differs |= differs("parity", line->parity == l.parity, l.parity);
        line_differs |=
            differs("stop_bits", line->stop_bits == l.stop_bits, std::to_string(l.stop_bits));
      }
      const ModbusBusConfig& b = bus.settings;
      differs("timeout", settings.timeout == b.timeout, duration_text(b.timeout));
      // An RTU gap left to its default follows the line; once the line agrees, so does it.
      if (!line_differs) differs("gap", settings.gap == b.gap, duration_text(b.gap));
      differs("breaker_after", settings.breaker_after == b.breaker_after,
              std::to_string(b.breaker_after));
      differs("breaker_retry", settings.breaker_retry == b.breaker_retry,
              duration_text(b.breaker_retry));
    }
    // -1 is the driver's default unit, which only the runtime knows.
    if (unit < 0) return;
    const auto [first, added] = bus.units.emplace(std::to_string(unit), module);
    if (!added) {
      v.key("unit").error("unit " + std::to_string(unit) + " on bus " + name +
                          " is already used by " + first->second);
    }
  }

  std::map<std::string, Bus, std::less<>> buses_;
  FirstSeen serial_users_;  // port description -> the serial module that opens it
};

TcpTransportConfig parse_tcp(ObjectReader r) {
  TcpTransportConfig tcp;
  r.string("host", tcp.host, kRequired);
  r.port("port", tcp.port);
  if (r.duration("connect_timeout", tcp.connect_timeout) && tcp.connect_timeout.count() == 0) {
    r.at("connect_timeout").error("must be more than 0ms");
  }
  read_backoff(r, tcp.backoff_min, tcp.backoff_max);
  r.boolean("keepalive", tcp.keepalive);
  r.reject_unknown_keys();
  return tcp;
}

UdpTransportConfig parse_udp(ObjectReader r) {
  UdpTransportConfig udp;
  r.string("host", udp.host, kRequired);
  r.port("port", udp.port);
  r.port("local_port", udp.local_port);
  r.reject_unknown_keys();
  return udp;
}

TransportConfig parse_transport(ObjectReader r) {
  if (!r.valid()) return {};
  std::vector<std::string_view> kinds;
  for (std::string_view kind : kTransportKinds) {
    if (r.has(kind)) kinds.push_back(kind);
  }
  const std::size_t typos = r.reject_unknown_keys();
  // A lone misspelt kind ("tpc") already has its own error with a suggestion.
  if (kinds.empty() && typos > 0) return {};
  if (kinds.size() != 1) {
    r.error("expected exactly one of " + join(kTransportKinds));
    return {};
  }
  if (kinds[0] == "tcp") return parse_tcp(r.child("tcp"));
  if (kinds[0] == "udp") return parse_udp(r.child("udp"));
  if (kinds[0] == "serial") return parse_serial(r.child("serial"));
  if (kinds[0] == "modbus_tcp") return parse_modbus_tcp(r.child("modbus_tcp"));
  return parse_modbus_rtu(r.child("modbus_rtu"));
}

ModuleConfig parse_module(ObjectReader r, FirstSeen& ids, SharedPorts& ports) {
  ModuleConfig module;
  module.json_path = r.path();
  read_id(r, module.id, "module", ids);
  r.string("driver", module.driver, kRequired);
  if (r.string("name", module.name, kRequired) && ends_in_index(module.name)) {
    r.at("name").error("must not end in _<number> (the index is added by the system)");
  }
  const std::size_t errors = r.error_count();
  module.transport = parse_transport(r.child("transport"));
  // A transport with errors holds defaults in their place, which would only add noise.
  if (r.error_count() == errors) ports.add(module.transport, r.at("transport"), module.json_path);
  r.object("settings", module.settings);
  r.log_level("log_level", module.log_level);
  r.reject_unknown_keys();
  return module;
}

SystemConfig parse_system(ObjectReader r, FirstSeen& ids, const FirstSeen& module_ids) {
  SystemConfig system;
  read_id(r, system.id, "system", ids);
  system.name = system.id;
  r.string("name", system.name);
  FirstSeen listed;
  r.for_each("modules", kRequired, [&](const Json& value, const Validator& v) {
    const auto id = as_string(value, v);
    if (!id) return;
    if (!module_ids.contains(*id)) {
      v.error("unknown module " + json_quote(*id));
      return;
    }
    const auto [first, inserted] = listed.emplace(*id, v.path());
    if (!inserted) {
      v.error("module " + json_quote(*id) + " is listed twice (first at " + first->second + ")");
      return;
    }
    system.modules.push_back(*id);
  });
  r.reject_unknown_keys();
  return system;
}

ApiKeyConfig parse_api_key(ObjectReader r, FirstSeen& ids, const FirstSeen& system_ids) {
  ApiKeyConfig key;
  if (!r.valid()) return key;
  if (r.string("id", key.id, kRequired)) check_unique(r, key.id, "key", ids);
  if (r.has("key") == r.has("key_sha256")) r.error("expected exactly one of key, key_sha256");
  r.string("key", key.key);
  r.read("key_sha256", key.key_sha256, kOptional, as_sha256_hex);
  r.choice("role", key.role, kRoles, kRequired);
  r.for_each("systems", kOptional, [&](const Json& value, const Validator& v) {
    const auto id = as_string(value, v);
    if (!id) return;
    if (*id != "*" && !system_ids.contains(*id)) {
      v.error("unknown system " + json_quote(*id));
      return;
    }
    key.systems.push_back(*id);
  });
  r.reject_unknown_keys();
  return key;
}

// Both files are read now, so a typo, a key that is not the certificate's, or a file the
// service user may not read shows in check-config rather than at the first client.
std::optional<ApiTlsConfig> parse_api_tls(ObjectReader r) {
  if (!r.valid()) return std::nullopt;
  ApiTlsConfig tls;
  const auto errors = r.error_count();
  r.read("cert_file", tls.cert_file, kRequired, as_existing_file);
  r.read("key_file", tls.key_file, kRequired, as_existing_file);
  r.reject_unknown_keys();
  if (r.error_count() != errors) return tls;
  if (auto problem = check_tls_pair(tls.cert_file, tls.key_file))
    r.at(problem->in_key ? "key_file" : "cert_file").error(problem->message);
  return tls;
}

ApiConfig parse_api(ObjectReader r, const FirstSeen& system_ids) {
  ApiConfig api;
  r.read("listen", api.listen, kOptional, as_listen_address);
  api.tls = parse_api_tls(r.child("tls"));
  r.read("max_frame", api.max_frame, kOptional, [](const Json& value, const Validator& v) {
    return as_size_in(value, v, 256, 64u << 20);
  });
  const auto count_in = [](int min, int max) {
    return [=](const Json& value, const Validator& v) -> std::optional<std::size_t> {
      auto n = as_int_in(value, v, min, max);
      return n ? std::optional<std::size_t>(*n) : std::nullopt;
    };
  };
  r.read("max_connections", api.max_connections, kOptional, count_in(1, 100000));
  r.read("max_connections_per_address", api.max_connections_per_address, kOptional,
         count_in(1, 100000));
  r.read("max_bindings", api.max_bindings, kOptional, count_in(1, 1000000));
  r.read("max_execs_in_flight", api.max_execs_in_flight, kOptional, count_in(1, 100000));
  r.read("max_queue", api.max_queue_bytes, kOptional, [](const Json& value, const Validator& v) {
    return as_size_in(value, v, 1024, 1u << 30);
  });
  r.duration("max_queue_age", api.max_queue_age);
  r.duration("idle_timeout", api.idle_timeout);
  if (r.duration("header_timeout", api.header_timeout) && api.header_timeout.count() == 0) {
    r.at("header_timeout").error("must be more than 0ms");
  }
  FirstSeen key_ids;
  r.for_each("keys", kOptional, [&](const Json& value, const Validator& v) {
    api.keys.push_back(parse_api_key(ObjectReader(value, v), key_ids, system_ids));
  });
  r.reject_unknown_keys();
  return api;
}

BoxConfig parse_box(ObjectReader r) {
  BoxConfig box;
  r.string("id", box.id, kRequired);
  box.name = box.id;
  r.string("name", box.name);
  r.string("state_dir", box.state_dir);
  r.reject_unknown_keys();
  return box;
}

HistoryConfig parse_history(ObjectReader r) {
  HistoryConfig history;
  r.read("max_points", history.max_points, kOptional, as_at_least_one);
  r.read("max_age", history.max_age, kOptional, as_positive_duration);
  r.reject_unknown_keys();
  return history;
}

// Systems refer to modules and API keys to systems, hence the order.
Config parse_root(ObjectReader r) {
  Config config;
  config.box = parse_box(r.child("box", kRequired));
  ObjectReader log = r.child("log");
  log.log_level("level", config.log_level);
  log.reject_unknown_keys();
  r.string_list("driver_path", config.driver_path);
  FirstSeen module_ids;
  SharedPorts ports;
  r.for_each("modules", kRequired, [&](const Json& value, const Validator& v) {
    config.modules.push_back(parse_module(ObjectReader(value, v), module_ids, ports));
  });
  FirstSeen system_ids;
  r.for_each("systems", kOptional, [&](const Json& value, const Validator& v) {
    config.systems.push_back(parse_system(ObjectReader(value, v), system_ids, module_ids));
  });
  config.api = parse_api(r.child("api"), system_ids);
  config.upstream = parse_upstream(r.child("upstream"), config.box.id);
  config.history = parse_history(r.child("history"));
  config.dialects = parse_dialects(r.child("dialects"));
  parse_alerts(r, config);
  r.reject_unknown_keys();
  return config;
}

ConfigError syntax_error(std::string_view text, const JsonParseResult& parsed) {
  if (parsed.byte == 0) return {"", "invalid JSON: " + parsed.error};
  // parsed.byte is the 1-based index of the last character read (size + 1 at end of input).
  const std::size_t offset = std::min<std::size_t>(parsed.byte - 1, text.size());
  const auto before = text.substr(0, offset);
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t line_start = before.rfind('\n');
  const std::size_t column =
      line_start == std::string_view::npos ? offset + 1 : offset - line_start;
  return {"", "invalid JSON at line " + std::to_string(line) + ", column " +
                  std::to_string(column) + ": " + parsed.error};
}

}  // namespace

ConfigResult parse_config(std::string_view text) {
  ConfigResult result;
  auto parsed = parse_json(text, {.comments = true});
  if (!parsed) {
    result.errors.push_back(syntax_error(text, parsed));
    return result;
  }
  Config config = parse_root(ObjectReader(parsed.value, Validator(result.errors, "")));
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

ConfigResult load_config_file(const std::string& path) {
  const auto fail = [&](int error) {
    return ConfigResult{std::nullopt,
                        {{"", "cannot read config file " + path + ": " + std::strerror(error)}}};
  };
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) return fail(errno);
  std::string text;
  char buffer[8192];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get())) {
    text.append(buffer, n);
  }
  if (std::ferror(file.get())) return fail(errno);
  return parse_config(text);
}

}  // namespace roomd
