// The box's configuration as plain structs, produced by the loader from one JSON file
// (comments allowed). Nothing here knows about drivers: checks that need driver metadata
// (driver exists, settings types) are done by the runtime on top of these structs.
#pragma once

#include "base/asio.hpp"
#include "base/json.hpp"
#include "base/link_config.hpp"
#include "base/log_level.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace roomd {

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

  bool operator==(const SystemConfig&) const = default;
};

struct ApiKeyConfig {
  std::string id;
  std::string key;                   // plain key, or empty when key_sha256 is used
  std::string key_sha256;            // lowercase hex
  std::string role;                  // viewer | operator | admin
  std::vector<std::string> systems;  // "*" for all

  bool operator==(const ApiKeyConfig&) const = default;
};

// The API's own certificate: with it the API speaks HTTPS and WSS only.
struct ApiTlsConfig {
  std::string cert_file;  // PEM: the certificate, then any intermediates
  std::string key_file;   // PEM: its private key

  bool operator==(const ApiTlsConfig&) const = default;
};

struct ApiConfig {
  std::string listen = "127.0.0.1:8080";
  std::optional<ApiTlsConfig> tls;
  std::vector<ApiKeyConfig> keys;
  std::size_t max_frame = 64 * 1024;  // larger text frames close with 1009
  // Open TCP connections of every kind (HTTP, WebSocket, not yet finished requests); past
  // either bound a new connection gets HTTP 503 and is closed.
  std::size_t max_connections = 256;
  std::size_t max_connections_per_address = 32;
  std::size_t max_bindings = 1000;        // per connection; also its debug streams
  std::size_t max_execs_in_flight = 64;   // per connection; past it an exec fails with code 3
  std::size_t max_queue_bytes = 1 << 20;  // a connection backed up beyond it closes with 1008
  Duration max_queue_age{10000};          // ... or backed up for longer than this
  // A peer silent for half of it gets a WebSocket ping; silent for all of it, it is closed.
  Duration idle_timeout{60000};
  // A request head (request line and headers) must arrive within this, counted from the
  // connection or the previous answer: a client that never finishes one is closed.
  Duration header_timeout{10000};

  bool operator==(const ApiConfig&) const = default;
};

struct BoxConfig {
  std::string id;
  std::string name;
  std::string state_dir = "/var/lib/roomd";
};

// upstream.mqtt: the broker the box forwards to and takes commands from (docs/upstream.md).
struct MqttConfig {
  std::string url;  // as written, for messages: "mqtts://broker.example:8883"
  std::string host;
  std::uint16_t port = 1883;  // 8883 for mqtts://
  bool tls = false;
  int protocol = 311;     // 311 (MQTT 3.1.1) or 5
  std::string client_id;  // box.id when not given
  std::string username;
  std::string password;  // a secret: never logged
  std::string ca_file;   // TLS: the CA that signed the broker's certificate (else the system's)
  std::string cert_file;
  std::string key_file;
  std::string topic_prefix = "roomd";
  Duration keepalive{30000};
  Duration backoff_min{1000};
  Duration backoff_max{300000};
  double drain_rate = 1000;         // records/s; 0: as fast as the broker acknowledges
  int inflight = 32;                // QoS 1 messages awaiting their acknowledgement
  std::string key_id = "upstream";  // how cmd requests are authorised and audited
  std::string role = "operator";
  std::string discovery;  // "" or "homeassistant"

  bool operator==(const MqttConfig&) const = default;
};

// upstream.outbox: the durable store of what happened, drained to the broker.
struct OutboxConfig {
  std::uint64_t max_bytes = 256ull << 20;
  Duration max_age{30ll * 24 * 3600 * 1000};
  bool sync_full = true;  // "full": a power cut loses nothing committed; "normal": faster

  bool operator==(const OutboxConfig&) const = default;
};

struct UpstreamConfig {
  std::optional<MqttConfig> mqtt;
  OutboxConfig outbox;
  // The outbox runs when an upstream is configured, or when upstream.outbox is given so a
  // box keeps its history before its broker is known.
  bool outbox_enabled = false;
};

// history: every status change kept with its time, bounded per variable.
struct HistoryConfig {
  std::size_t max_points = 10000;
  Duration max_age{30ll * 24 * 3600 * 1000};

  bool operator==(const HistoryConfig&) const = default;
};

// dialects.openframe: the OpenFrame WebSocket dialect (dialects.md).
struct OpenFrameConfig {
  Duration status_every{10000};  // the period of system_status events

  bool operator==(const OpenFrameConfig&) const = default;
};

// dialects.das: the DAS dialect over Socket.IO at /socket.io/ (dialects.md, docs/das.md).
struct DasConfig {
  // From the Engine.IO session's opening: a client not authorized by then is disconnected.
  Duration auth_window{10000};
  Duration ping_interval{25000};  // Engine.IO's pingInterval: the server pings this often
  Duration ping_timeout{20000};   // ... and closes a session whose pong is this late
  // Engine.IO's maxPayload: the largest HTTP body (polling) or WebSocket message accepted.
  std::size_t max_payload = 1000000;

  bool operator==(const DasConfig&) const = default;
};

// dialects: settings of the real-time dialects other than the native one.
struct DialectsConfig {
  OpenFrameConfig openframe;
  DasConfig das;

  bool operator==(const DialectsConfig&) const = default;
};

// alerts[i]: raise `rule/<i>` while `<sys>/<module>_<index>/<variable> <op> <value>` holds.
struct AlertRuleConfig {
  std::string when;  // as written, the default title
  std::string sys;
  std::string module;  // the module's name in the system: "Sensor"
  int index = 1;
  std::string variable;
  std::string op;  // > >= < <= == !=
  Json value;
  Duration hold{0};  // "for": how long the condition holds before the alert
  std::string severity = "medium";
  std::string title;
  std::string json_path;  // "alerts[0]", for the checks that need the drivers
  bool operator==(const AlertRuleConfig&) const = default;
};

struct AlertOptionsConfig {
  Duration offline_after{30000};  // a device module disconnected this long is offline
  Duration log_quiet{300000};     // an error alert clears after this long without an error
  bool operator==(const AlertOptionsConfig&) const = default;
};

struct Config {
  BoxConfig box;
  LogLevel log_level = LogLevel::info;
  ApiConfig api;
  std::vector<std::string> driver_path;  // directories searched for driver plugins
  std::vector<ModuleConfig> modules;
  std::vector<SystemConfig> systems;
  UpstreamConfig upstream;
  HistoryConfig history;
  DialectsConfig dialects;
  std::vector<AlertRuleConfig> alerts;
  AlertOptionsConfig alert_options;
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
