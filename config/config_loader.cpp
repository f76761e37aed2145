// Turns the config JSON into Config. Every problem is collected with its JSON path instead
// of stopping at the first one, so a technician on site can fix the file in one pass.
#include "config/config.hpp"

#include "base/json_parse.hpp"
#include "base/units.hpp"

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

enum Need { kOptional, kRequired };

// Id -> path of the element that declared it first, for "(first at modules[0])".
using FirstSeen = std::map<std::string, std::string, std::less<>>;

constexpr std::array<std::string_view, 6> kLogLevels = {"trace", "debug", "info",
                                                        "warn",  "error", "fatal"};
constexpr std::array<std::string_view, 3> kRoles = {"viewer", "operator", "admin"};
constexpr std::array<std::string_view, 5> kTransportKinds = {"tcp", "udp", "serial", "modbus_tcp",
                                                             "modbus_rtu"};
constexpr std::size_t kMaxSuggestionDistance = 2;

// The current JSON path plus the shared error list, so that a check deep in the tree
// reports a problem in one line and needs no return channel for it.
class Validator {
 public:
  Validator(std::vector<ConfigError>& errors, std::string path)
      : errors_(&errors), path_(std::move(path)) {}

  Validator key(std::string_view name) const {
    return {*errors_, path_.empty() ? std::string(name) : path_ + "." + std::string(name)};
  }
  Validator index(std::size_t i) const { return {*errors_, path_ + "[" + std::to_string(i) + "]"}; }
  const std::string& path() const { return path_; }
  void error(std::string message) const { errors_->push_back({path_, std::move(message)}); }
  std::size_t error_count() const { return errors_->size(); }

 private:
  std::vector<ConfigError>* errors_;
  std::string path_;
};

std::string json_quote(std::string_view text) {
  return Json(text).dump();
}

// Scalars are echoed so the reader sees what the loader saw; containers only by type,
// since dumping a whole object into one message helps nobody.
std::string describe(const Json& value) {
  return value.is_structured() ? value.type_name() : value.dump();
}

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view word : words) out += (out.empty() ? "" : ", ") + std::string(word);
  return out;
}

void type_error(const Validator& v, std::string_view expected, const Json& value) {
  v.error("expected " + std::string(expected) + ", got " + value.type_name());
}

// Optimal string alignment distance: a swapped pair ("trasnport") counts as one edit.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string unknown_key_message(std::string_view key, std::span<const std::string> known) {
  const std::string* best = nullptr;
  std::size_t best_distance = kMaxSuggestionDistance + 1;
  for (const std::string& candidate : known) {
    const std::size_t distance = edit_distance(key, candidate);
    if (distance >= best_distance) continue;
    best = &candidate;
    best_distance = distance;
  }
  // A one-letter key is within two edits of every short key; suggesting one would be noise.
  if (best == nullptr || best_distance >= key.size()) return "unknown key";
  return "unknown key (did you mean " + json_quote(*best) + "?)";
}

// Value checks: each returns the converted value, or reports at `v` and returns nullopt.

std::optional<std::string> as_string(const Json& value, const Validator& v) {
  if (!value.is_string()) {
    type_error(v, "a string", value);
    return std::nullopt;
  }
  auto text = value.get<std::string>();
  if (text.empty()) {
    v.error("must not be empty");
    return std::nullopt;
  }
  return text;
}

std::optional<bool> as_bool(const Json& value, const Validator& v) {
  if (!value.is_boolean()) {
    type_error(v, "a boolean", value);
    return std::nullopt;
  }
  return value.get<bool>();
}

std::optional<Json> as_object(const Json& value, const Validator& v) {
  if (!value.is_object()) {
    type_error(v, "an object", value);
    return std::nullopt;
  }
  return value;
}

// 0 passes because it is how a file asks for the driver's default port (or an ephemeral
// local port); the message names the range a person actually means to write.
std::optional<std::uint16_t> as_port(const Json& value, const Validator& v) {
  if (!value.is_number()) {
    type_error(v, "an integer", value);
    return std::nullopt;
  }
  if (!value.is_number_unsigned() || value.get<std::uint64_t>() > 65535) {
    v.error("expected 1-65535, got " + value.dump());
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value.get<std::uint64_t>());
}

std::optional<Duration> as_duration(const Json& value, const Validator& v) {
  const auto* text = value.get_ptr<const std::string*>();
  auto duration = text != nullptr ? parse_duration(*text) : std::nullopt;
  if (!duration) {
    v.error("expected a duration such as \"500ms\" or \"10s\", got " + describe(value));
  }
  return duration;
}

// A size such as "64KiB" (or a plain number of bytes) within [min, max].
std::optional<std::size_t> as_size_in(const Json& value, const Validator& v, std::uint64_t min,
                                      std::uint64_t max) {
  std::optional<std::uint64_t> size;
  if (const auto* text = value.get_ptr<const std::string*>()) size = parse_size(*text);
  if (value.is_number_unsigned()) size = value.get<std::uint64_t>();
  if (!size) {
    v.error("expected a size such as \"64KiB\" or \"1MiB\", got " + describe(value));
    return std::nullopt;
  }
  if (*size < min || *size > max) {
    v.error("expected " + std::to_string(min) + " to " + std::to_string(max) + " bytes, got " +
            std::to_string(*size));
    return std::nullopt;
  }
  return static_cast<std::size_t>(*size);
}

std::optional<std::string> as_choice(const Json& value, const Validator& v,
                                     std::span<const std::string_view> choices) {
  const auto* text = value.get_ptr<const std::string*>();
  if (text != nullptr && std::find(choices.begin(), choices.end(), *text) != choices.end()) {
    return *text;
  }
  v.error("expected one of " + join(choices) + ", got " + describe(value));
  return std::nullopt;
}

std::optional<LogLevel> as_log_level(const Json& value, const Validator& v) {
  const auto name = as_choice(value, v, kLogLevels);
  return name ? parse_log_level(*name) : std::nullopt;
}

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

// An integer in [min, max]; the message names the range, like ports do.
std::optional<int> as_int_in(const Json& value, const Validator& v, int min, int max) {
  if (!value.is_number()) {
    type_error(v, "an integer", value);
    return std::nullopt;
  }
  const bool in_range = value.is_number_integer() && value.get<std::int64_t>() >= min &&
                        value.get<std::int64_t>() <= max;
  if (!in_range) {
    v.error("expected " + std::to_string(min) + "-" + std::to_string(max) + ", got " +
            value.dump());
    return std::nullopt;
  }
  return static_cast<int>(value.get<std::int64_t>());
}

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

std::optional<int> as_at_least_one(const Json& value, const Validator& v) {
  if (!value.is_number()) {
    type_error(v, "an integer", value);
    return std::nullopt;
  }
  if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
      value.get<std::int64_t>() > 1000000) {
    v.error("expected an integer of at least 1, got " + value.dump());
    return std::nullopt;
  }
  return static_cast<int>(value.get<std::int64_t>());
}

std::optional<Duration> as_positive_duration(const Json& value, const Validator& v) {
  auto duration = as_duration(value, v);
  if (duration && duration->count() == 0) {
    v.error("must be more than 0ms");
    return std::nullopt;
  }
  return duration;
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

// Reads one JSON object field by field. Every lookup marks its key as known, so whatever
// is left at the end is a typo. Getters store into `out` only valid values (a missing
// optional field keeps the caller's default) and return false when there is no usable
// value. A reader for a missing or non-object value is empty: its getters report nothing,
// so one "required" or type error is not followed by one error per field inside.
class ObjectReader {
 public:
  ObjectReader(const Json& json, Validator v) : v_(std::move(v)) {
    if (!json.is_object()) {
      type_error(v_, "an object", json);
      return;
    }
    json_ = &json;
  }

  bool valid() const { return json_ != nullptr; }
  const std::string& path() const { return v_.path(); }
  Validator at(std::string_view key) const { return v_.key(key); }
  void error(std::string message) const { v_.error(std::move(message)); }
  std::size_t error_count() const { return v_.error_count(); }

  const Json* find(std::string_view key, Need need = kOptional) {
    known_.emplace_back(key);
    if (json_ == nullptr) return nullptr;
    const auto it = json_->find(key);
    if (it != json_->end()) return &*it;
    if (need == kRequired) v_.key(key).error("required");
    return nullptr;
  }
  bool has(std::string_view key) { return find(key) != nullptr; }

  template <class T, class Convert>
  bool read(std::string_view key, T& out, Need need, Convert convert) {
    const Json* value = find(key, need);
    if (value == nullptr) return need == kOptional;
    auto result = convert(*value, v_.key(key));
    if (!result) return false;
    out = *std::move(result);
    return true;
  }
  bool string(std::string_view key, std::string& out, Need need = kOptional) {
    return read(key, out, need, as_string);
  }
  bool boolean(std::string_view key, bool& out) { return read(key, out, kOptional, as_bool); }
  bool object(std::string_view key, Json& out) { return read(key, out, kOptional, as_object); }
  bool port(std::string_view key, std::uint16_t& out) { return read(key, out, kOptional, as_port); }
  bool duration(std::string_view key, Duration& out) {
    return read(key, out, kOptional, as_duration);
  }
  template <class Level>  // LogLevel, or std::optional<LogLevel> where "unset" matters
  bool log_level(std::string_view key, Level& out) {
    return read(key, out, kOptional, as_log_level);
  }
  bool choice(std::string_view key, std::string& out, std::span<const std::string_view> choices,
              Need need) {
    return read(key, out, need, [&](const Json& value, const Validator& v) {
      return as_choice(value, v, choices);
    });
  }

  ObjectReader child(std::string_view key, Need need = kOptional) {
    const Json* value = find(key, need);
    return value != nullptr ? ObjectReader(*value, v_.key(key)) : ObjectReader(v_.key(key));
  }

  // Calls visit(element, validator) for each element of the array at `key`.
  template <class Visit>
  void for_each(std::string_view key, Need need, Visit visit) {
    const Json* value = find(key, need);
    if (value == nullptr) return;
    if (!value->is_array()) {
      type_error(v_.key(key), "an array", *value);
      return;
    }
    for (std::size_t i = 0; i < value->size(); ++i) visit((*value)[i], v_.key(key).index(i));
  }

  void string_list(std::string_view key, std::vector<std::string>& out) {
    for_each(key, kOptional, [&](const Json& value, const Validator& v) {
      if (auto text = as_string(value, v)) out.push_back(*std::move(text));
    });
  }

  // Returns how many unknown keys were reported.
  std::size_t reject_unknown_keys() const {
    if (json_ == nullptr) return 0;
    std::size_t count = 0;
    for (const auto& [key, value] : json_->items()) {
      if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
      v_.key(key).error(unknown_key_message(key, known_));
      ++count;
    }
    return count;
  }

 private:
  explicit ObjectReader(Validator v) : v_(std::move(v)) {}  // the empty reader

  const Json* json_ = nullptr;
  Validator v_;
  std::vector<std::string> known_;
};

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

ApiConfig parse_api(ObjectReader r, const FirstSeen& system_ids) {
  ApiConfig api;
  r.read("listen", api.listen, kOptional, as_listen_address);
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
  // Read by the uplink and alerting code, which is not wired to the loader yet; boxes that
  // already carry these sections must still load.
  r.find("upstream");
  r.find("alerts");
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
