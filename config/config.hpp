// The box's configuration as plain structs, produced by the loader from one JSON file
// (comments allowed). Nothing here knows about drivers: checks that need driver metadata
// (driver exists, settings types) are done by the runtime on top of these structs.
#pragma once

#include "runtime/asio.hpp"
#include "runtime/json.hpp"
#include "runtime/log_level.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace roomd {

struct TcpTransportConfig {
  std::string host;
  std::uint16_t port = 0;  // 0: the driver's default port
  Duration connect_timeout{5000};
  Duration backoff_min{1000};
  Duration backoff_max{10000};
  bool keepalive = true;
};

struct UdpTransportConfig {
  std::string host;
  std::uint16_t port = 0;        // 0: the driver's default port
  std::uint16_t local_port = 0;  // 0: ephemeral
};

using TransportConfig = std::variant<std::monostate, TcpTransportConfig, UdpTransportConfig>;

struct ModuleConfig {
  std::string id;
  std::string driver;  // built-in name, or a shared library path / name on the driver path
  std::string name;    // generic name in systems: "Display", "Projector", ...
  TransportConfig transport;
  Json settings = Json::object();
  std::optional<LogLevel> log_level;
  std::string json_path;  // "modules[2]", for error messages found after loading
};

struct SystemConfig {
  std::string id;
  std::string name;
  std::vector<std::string> modules;  // module ids, in order
};

struct ApiKeyConfig {
  std::string id;
  std::string key;         // plain key, or empty when key_sha256 is used
  std::string key_sha256;  // lowercase hex
  std::string role;        // viewer | operator | admin
  std::vector<std::string> systems;  // "*" for all
};

struct ApiConfig {
  std::string listen = "127.0.0.1:8080";
  std::vector<ApiKeyConfig> keys;
};

struct BoxConfig {
  std::string id;
  std::string name;
  std::string state_dir = "/var/lib/roomd";
};

struct Config {
  BoxConfig box;
  LogLevel log_level = LogLevel::info;
  ApiConfig api;
  std::vector<std::string> driver_path;  // directories searched for driver plugins
  std::vector<ModuleConfig> modules;
  std::vector<SystemConfig> systems;
};

struct ConfigError {
  std::string path;  // "modules[2].transport.tcp.port", or "" for the whole file
  std::string message;
  std::string text() const { return path.empty() ? message : path + ": " + message; }
};

struct ConfigResult {
  std::optional<Config> config;  // set only when errors is empty
  std::vector<ConfigError> errors;
};

ConfigResult parse_config(std::string_view text);
ConfigResult load_config_file(const std::string& path);

}  // namespace roomd
