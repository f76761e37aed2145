#include "config/config.hpp"

#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

namespace roomd {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using Texts = std::vector<std::string>;

Texts error_texts(std::string_view text) {
  const ConfigResult result = parse_config(text);
  Texts texts;
  for (const ConfigError& error : result.errors) texts.push_back(error.text());
  CHECK(result.config.has_value() == texts.empty());
  return texts;
}

// A valid config around one module, so each case below states only what it breaks.
std::string with_module(const std::string& module) {
  return R"({ "box": { "id": "b" }, "modules": [ )" + module + " ] }";
}

const char* const kFullConfig = R"jsonc(
// Room 101, as installed.
{
  "box": { "id": "room-101", "state_dir": "/srv/roomd" },
  "log": { "level": "debug" },  /* louder while commissioning */
  "api": {
    "listen": "0.0.0.0:8080",
    "keys": [
      { "id": "panel-101", "key": "s3cret", "role": "operator", "systems": ["sys-101"] },
      { "id": "ops", "role": "admin", "systems": ["*"],
        "key_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }
    ]
  },
  "driver_path": ["/usr/lib/roomd/drivers", "/opt/roomd/drivers"],
  "modules": [
    { "id": "mod-proj", "driver": "pjlink", "name": "Projector",
      "transport": { "tcp": { "host": "10.0.0.5", "port": 4352, "connect_timeout": "1.5s",
                              "backoff_min": "500ms", "backoff_max": "5m", "keepalive": false } },
      "settings": { "password": "x", "poll_every": "10s" }, "log_level": "warn" },
    { "id": "mod-dsp", "driver": "tesira", "name": "Dsp",
      "transport": { "tcp": { "host": "dsp.local" } } },
    { "id": "mod-lights", "driver": "artnet", "name": "Lights",
      "transport": { "udp": { "host": "10.0.0.7", "port": 6454, "local_port": 6455 } } },
    { "id": "mod-room", "driver": "room", "name": "System" }
  ],
  "systems": [
    { "id": "sys-101", "name": "Room 101", "modules": ["mod-room", "mod-proj", "mod-dsp"] },
    { "id": "sys-102", "modules": ["mod-lights", "mod-proj"] }
  ],
  // Not validated yet, but must not stop the box from loading.
  "upstream": { "mqtt": { "url": "mqtts://broker.example:8883" },
                "outbox": { "max_bytes": "256MiB", "max_age": "30d" } },
  "alerts": [ { "when": "sys-101/Projector_1/lamp_hours > 2000", "title": "Lamp hours" } ]
}
)jsonc";

TEST_CASE("a full config parses into the expected structs", "[config]") {
  const ConfigResult result = parse_config(kFullConfig);
  REQUIRE(result.errors.empty());
  REQUIRE(result.config.has_value());
  const Config& config = *result.config;

  CHECK(config.box.id == "room-101");
  CHECK(config.box.name == "room-101");
  CHECK(config.box.state_dir == "/srv/roomd");
  CHECK(config.log_level == LogLevel::debug);
  CHECK(config.driver_path == Texts{"/usr/lib/roomd/drivers", "/opt/roomd/drivers"});

  CHECK(config.api.listen == "0.0.0.0:8080");
  REQUIRE(config.api.keys.size() == 2);
  CHECK(config.api.keys[0].id == "panel-101");
  CHECK(config.api.keys[0].key == "s3cret");
  CHECK(config.api.keys[0].key_sha256.empty());
  CHECK(config.api.keys[0].role == "operator");
  CHECK(config.api.keys[0].systems == Texts{"sys-101"});
  CHECK(config.api.keys[1].key.empty());
  CHECK(config.api.keys[1].key_sha256 ==
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  CHECK(config.api.keys[1].role == "admin");
  CHECK(config.api.keys[1].systems == Texts{"*"});

  REQUIRE(config.modules.size() == 4);
  const ModuleConfig& proj = config.modules[0];
  CHECK(proj.id == "mod-proj");
  CHECK(proj.driver == "pjlink");
  CHECK(proj.name == "Projector");
  CHECK(proj.json_path == "modules[0]");
  CHECK(proj.log_level == LogLevel::warn);
  CHECK(proj.settings == Json{{"password", "x"}, {"poll_every", "10s"}});
  const auto* tcp = std::get_if<TcpTransportConfig>(&proj.transport);
  REQUIRE(tcp != nullptr);
  CHECK(tcp->host == "10.0.0.5");
  CHECK(tcp->port == 4352);
  CHECK(tcp->connect_timeout == Duration{1500});
  CHECK(tcp->backoff_min == Duration{500});
  CHECK(tcp->backoff_max == minutes{5});
  CHECK_FALSE(tcp->keepalive);

  const ModuleConfig& dsp = config.modules[1];
  const auto* dsp_tcp = std::get_if<TcpTransportConfig>(&dsp.transport);
  REQUIRE(dsp_tcp != nullptr);
  CHECK(dsp_tcp->host == "dsp.local");
  CHECK(dsp_tcp->port == 0);
  CHECK(dsp_tcp->connect_timeout == seconds{5});
  CHECK(dsp_tcp->backoff_min == seconds{1});
  CHECK(dsp_tcp->backoff_max == seconds{10});
  CHECK(dsp_tcp->keepalive);
  CHECK_FALSE(dsp.log_level.has_value());
  CHECK(dsp.settings == Json::object());

  const auto* udp = std::get_if<UdpTransportConfig>(&config.modules[2].transport);
  REQUIRE(udp != nullptr);
  CHECK(udp->host == "10.0.0.7");
  CHECK(udp->port == 6454);
  CHECK(udp->local_port == 6455);
  CHECK(config.modules[2].json_path == "modules[2]");

  CHECK(std::holds_alternative<std::monostate>(config.modules[3].transport));

  REQUIRE(config.systems.size() == 2);
  CHECK(config.systems[0].id == "sys-101");
  CHECK(config.systems[0].name == "Room 101");
  CHECK(config.systems[0].modules == Texts{"mod-room", "mod-proj", "mod-dsp"});
  CHECK(config.systems[1].name == "sys-102");
  CHECK(config.systems[1].modules == Texts{"mod-lights", "mod-proj"});
  REQUIRE(config.alerts.size() == 1);
  CHECK(config.alerts[0].variable == "lamp_hours");
  CHECK(config.alerts[0].title == "Lamp hours");
}

TEST_CASE("a minimal config gets the defaults", "[config]") {
  const ConfigResult result = parse_config(R"({ "box": { "id": "b", "name": "Box B" },
                                                "modules": [] })");
  REQUIRE(result.errors.empty());
  REQUIRE(result.config.has_value());
  CHECK(result.config->box.name == "Box B");
  CHECK(result.config->box.state_dir == "/var/lib/roomd");
  CHECK(result.config->log_level == LogLevel::info);
  CHECK(result.config->api.listen == "127.0.0.1:8080");
  CHECK(result.config->api.keys.empty());
  CHECK(result.config->driver_path.empty());
  CHECK(result.config->modules.empty());
  CHECK(result.config->systems.empty());
}

TEST_CASE("invalid JSON gives one error with line and column", "[config][errors]") {
  CHECK(
      error_texts("{\n  \"box\": { \"id\": \"b\" },\n  \"modules\": [ }\n}") ==
      Texts{"invalid JSON at line 3, column 16: unexpected '}'; expected '[', '{', or a literal"});
  CHECK(error_texts("{ \"box\": { \"id\": \"b\" } ") ==
        Texts{"invalid JSON at line 1, column 24: unexpected end of input; expected '}'"});
  CHECK(error_texts("// only a comment\n") ==
        Texts{"invalid JSON at line 2, column 1: unexpected end of input; expected '[', '{', "
              "or a literal"});
}

TEST_CASE("the JSON excerpt in nlohmann's message is not echoed", "[config][errors]") {
  CHECK(error_texts(R"({ "api": { "keys": [ { "key": "hunter2" tru } ] } })") ==
        Texts{"invalid JSON at line 1, column 44: invalid literal; expected '}'"});
}

TEST_CASE("deeply nested JSON is refused before anything walks it", "[config][errors]") {
  // 100,000 levels would overflow the stack of any recursive walk over the value.
  const std::string deep = R"({"box": {"id": "b"}, "modules": [{"settings": )" +
                           std::string(100000, '[') + std::string(100000, ']') + "}]}";
  CHECK(error_texts(deep) == Texts{"invalid JSON: nested deeper than 64 levels"});
  // The limit itself is fine.
  const std::string at_limit = R"({"box": {"id": "b"}, "modules": [], "x": )" +
                               std::string(63, '[') + std::string(63, ']') + "}";
  CHECK(error_texts(at_limit) == Texts{"x: unknown key"});
}

TEST_CASE("a config that is not an object", "[config][errors]") {
  CHECK(error_texts("[]") == Texts{"expected an object, got array"});
}

TEST_CASE("required sections and fields", "[config][errors]") {
  CHECK(error_texts("{}") == Texts{"box: required", "modules: required"});
  CHECK(error_texts(R"({ "box": {}, "modules": [ {} ] })") ==
        Texts{"box.id: required", "modules[0].id: required", "modules[0].driver: required",
              "modules[0].name: required"});
  CHECK(error_texts(R"({ "box": { "id": "" }, "modules": [ "mod-a" ] })") ==
        Texts{"box.id: must not be empty", "modules[0]: expected an object, got string"});
}

TEST_CASE("wrong types", "[config][errors]") {
  CHECK(error_texts(R"({ "box": { "id": 5 }, "modules": {}, "driver_path": ["/a", 1] })") ==
        Texts{"box.id: expected a string, got number",
              "driver_path[1]: expected a string, got number",
              "modules: expected an array, got object"});
  CHECK(error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N", "settings": [],
                                     "transport": { "tcp": { "host": "h", "keepalive": "yes" } } })")) ==
        Texts{"modules[0].transport.tcp.keepalive: expected a boolean, got string",
              "modules[0].settings: expected an object, got array"});
}

TEST_CASE("port ranges", "[config][errors]") {
  const auto tcp_port = [](const std::string& port) {
    return error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N",
        "transport": { "tcp": { "host": "h", "port": )" +
                                   port + " } } }"));
  };
  CHECK(tcp_port("70000") == Texts{"modules[0].transport.tcp.port: expected 1-65535, got 70000"});
  CHECK(tcp_port("-1") == Texts{"modules[0].transport.tcp.port: expected 1-65535, got -1"});
  CHECK(tcp_port("80.5") == Texts{"modules[0].transport.tcp.port: expected 1-65535, got 80.5"});
  CHECK(tcp_port("\"80\"") ==
        Texts{"modules[0].transport.tcp.port: expected an integer, got string"});
  CHECK(tcp_port("0").empty());
  CHECK(error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N",
        "transport": { "udp": { "host": "h", "local_port": 65536 } } })")) ==
        Texts{"modules[0].transport.udp.local_port: expected 1-65535, got 65536"});
}

TEST_CASE("unknown keys, with a suggestion when one is close", "[config][errors]") {
  CHECK(error_texts(R"({ "box": { "id": "b", "stat_dir": "/x" }, "modules": [], "sytems": [],
                         "colour": "red" })") ==
        Texts{R"(box.stat_dir: unknown key (did you mean "state_dir"?))", "colour: unknown key",
              R"(sytems: unknown key (did you mean "systems"?))"});
  CHECK(error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N",
                                     "transprot": { "tcp": { "host": "h" } } })")) ==
        Texts{R"(modules[0].transprot: unknown key (did you mean "transport"?))"});
  CHECK(error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N",
                                     "transport": { "tpc": { "host": "h" } } })")) ==
        Texts{R"(modules[0].transport.tpc: unknown key (did you mean "tcp"?))"});
  CHECK(error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N", "x": 1 })")) ==
        Texts{"modules[0].x: unknown key"});
}

TEST_CASE("log levels", "[config][errors]") {
  CHECK(
      error_texts(R"({ "box": { "id": "b" }, "log": { "level": "loud" }, "modules": [
                         { "id": "m", "driver": "d", "name": "N", "log_level": 3 } ] })") ==
      Texts{R"(log.level: expected one of trace, debug, info, warn, error, fatal, got "loud")",
            "modules[0].log_level: expected one of trace, debug, info, warn, error, fatal, got 3"});
}

TEST_CASE("durations need units", "[config][errors]") {
  CHECK(
      error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N",
        "transport": { "tcp": { "host": "h", "connect_timeout": "10 parsecs",
                                "backoff_min": 10, "backoff_max": {} } } })")) ==
      Texts{
          R"(modules[0].transport.tcp.connect_timeout: expected a duration such as "500ms" or "10s", got "10 parsecs")",
          R"(modules[0].transport.tcp.backoff_min: expected a duration such as "500ms" or "10s", got 10)",
          R"(modules[0].transport.tcp.backoff_max: expected a duration such as "500ms" or "10s", got object)"});
}

TEST_CASE("tcp timing rules", "[config][errors]") {
  CHECK(error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N",
        "transport": { "tcp": { "host": "h", "backoff_min": "30s", "backoff_max": "10s" } } })")) ==
        Texts{"modules[0].transport.tcp.backoff_max: must not be less than backoff_min"});
  CHECK(error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N",
        "transport": { "tcp": { "host": "h", "connect_timeout": "0s" } } })")) ==
        Texts{"modules[0].transport.tcp.connect_timeout: must be more than 0ms"});
  // backoff_max defaults to 10s, so a larger backoff_min alone is a conflict too.
  CHECK(error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N",
        "transport": { "tcp": { "host": "h", "backoff_min": "1m" } } })")) ==
        Texts{"modules[0].transport.tcp.backoff_max: must not be less than backoff_min"});
}

TEST_CASE("a transport names exactly one supported kind", "[config][errors]") {
  const std::string kExactlyOne =
      "modules[0].transport: expected exactly one of tcp, udp, serial, modbus_tcp, modbus_rtu";
  CHECK(error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N", "transport": {} })")) ==
        Texts{kExactlyOne});
  CHECK(error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N",
        "transport": { "tcp": { "host": "h" }, "udp": { "host": "h" } } })")) ==
        Texts{kExactlyOne});
  CHECK(error_texts(with_module(R"({ "id": "m", "driver": "d", "name": "N",
        "transport": { "udp": { "port": 5 } } })")) ==
        Texts{"modules[0].transport.udp.host: required"});
}

TEST_CASE("module ids and names", "[config][errors]") {
  CHECK(error_texts(R"({ "box": { "id": "b" }, "modules": [
        { "id": "mod-proj", "driver": "d", "name": "Projector" },
        { "id": "mod-proj", "driver": "d", "name": "Display_1" },
        { "id": "mod proj!", "driver": "d", "name": "Display_x" } ] })") ==
        Texts{R"(modules[1].id: duplicate module id "mod-proj" (first at modules[0]))",
              "modules[1].name: must not end in _<number> (the index is added by the system)",
              R"(modules[2].id: may only contain letters, digits, "_", "." and "-")"});
}

TEST_CASE("systems refer to known modules, each once", "[config][errors]") {
  CHECK(
      error_texts(R"({ "box": { "id": "b" },
        "modules": [ { "id": "mod-a", "driver": "d", "name": "A" } ],
        "systems": [ { "id": "sys-1", "modules": ["mod-a", "mod-x", "mod-a", 7] },
                     { "id": "sys-1", "modules": [] },
                     { "name": "No id" } ] })") ==
      Texts{
          R"(systems[0].modules[1]: unknown module "mod-x")",
          R"(systems[0].modules[2]: module "mod-a" is listed twice (first at systems[0].modules[0]))",
          "systems[0].modules[3]: expected a string, got number",
          R"(systems[1].id: duplicate system id "sys-1" (first at systems[0]))",
          "systems[2].id: required", "systems[2].modules: required"});
}

TEST_CASE("api keys", "[config][errors]") {
  CHECK(error_texts(R"({ "box": { "id": "b" }, "modules": [],
        "systems": [ { "id": "sys-1", "modules": [] } ],
        "api": { "listen": "8080", "keys": [
          { "id": "k1", "key": "a", "key_sha256": "abc", "role": "root", "systems": ["sys-2"] },
          { "id": "k1", "role": "viewer", "systems": ["sys-1", "*"] },
          { "id": "k3", "key_sha256": "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
            "role": "admin" } ] } })") ==
        Texts{R"(api.listen: expected "host:port" such as "0.0.0.0:8080", got "8080")",
              "api.keys[0]: expected exactly one of key, key_sha256",
              "api.keys[0].key_sha256: expected 64 lowercase hex digits (a SHA-256 hash)",
              R"(api.keys[0].role: expected one of viewer, operator, admin, got "root")",
              R"(api.keys[0].systems[0]: unknown system "sys-2")",
              R"(api.keys[1].id: duplicate key id "k1" (first at api.keys[0]))",
              "api.keys[1]: expected exactly one of key, key_sha256",
              "api.keys[2].key_sha256: expected 64 lowercase hex digits (a SHA-256 hash)"});
}

TEST_CASE("listen addresses", "[config]") {
  const auto listen = [](const std::string& address) {
    return error_texts(R"({ "box": { "id": "b" }, "modules": [], "api": { "listen": ")" + address +
                       R"(" } })");
  };
  CHECK(listen("[::1]:8080").empty());
  CHECK(listen("localhost:1").empty());
  CHECK(listen(":8080") ==
        Texts{R"(api.listen: expected "host:port" such as "0.0.0.0:8080", got ":8080")"});
  CHECK(listen("localhost:0") ==
        Texts{R"(api.listen: expected "host:port" such as "0.0.0.0:8080", got "localhost:0")"});
  CHECK(listen("localhost:99999") ==
        Texts{R"(api.listen: expected "host:port" such as "0.0.0.0:8080", got "localhost:99999")"});
}

TEST_CASE("every problem in a file is reported, not just the first", "[config][errors]") {
  CHECK(error_texts(R"({
    "box": { "name": "Room" },
    "log": { "level": "loud" },
    "modules": [
      { "id": "mod-proj", "driver": "pjlink", "name": "Projector",
        "transport": { "tcp": { "host": "10.0.0.5", "port": 70000 } } },
      { "id": "mod-proj", "driver": "", "name": "Display_2",
        "transport": { "serial": { "port": "/dev/ttyUSB0" } }, "setings": {} }
    ],
    "systems": [ { "id": "sys-1", "modules": ["mod-proj", "mod-x"] } ],
    "upstream": { "anything": "goes" }
  })") == Texts{
              "box.id: required",
              R"(log.level: expected one of trace, debug, info, warn, error, fatal, got "loud")",
              "modules[0].transport.tcp.port: expected 1-65535, got 70000",
              R"(modules[1].id: duplicate module id "mod-proj" (first at modules[0]))",
              "modules[1].driver: must not be empty",
              "modules[1].name: must not end in _<number> (the index is added by the system)",
              R"(modules[1].setings: unknown key (did you mean "settings"?))",
              R"(systems[0].modules[1]: unknown module "mod-x")",
              "upstream.anything: unknown key",
          });
}

TEST_CASE("load_config_file reads a file and reports unreadable ones", "[config]") {
  const ConfigResult missing = load_config_file("/nonexistent/roomd.json");
  CHECK_FALSE(missing.config.has_value());
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].text() ==
        "cannot read config file /nonexistent/roomd.json: No such file or directory");

  const ConfigResult directory = load_config_file("/");
  REQUIRE(directory.errors.size() == 1);
  CHECK(directory.errors[0].text() == "cannot read config file /: Is a directory");

  const std::string path = std::filesystem::temp_directory_path() /
                           ("roomd_config_test_" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream file(path);
    file << kFullConfig;
  }
  const ConfigResult loaded = load_config_file(path);
  std::remove(path.c_str());
  CHECK(loaded.errors.empty());
  REQUIRE(loaded.config.has_value());
  CHECK(loaded.config->box.id == "room-101");
}

// The transport of the only module of a config, or nullptr when it has errors or another kind.
template <class T>
std::optional<T> transport_of(const std::string& transport) {
  const ConfigResult result = parse_config(
      with_module(R"({ "id": "m", "driver": "d", "name": "N", "transport": )" + transport + " }"));
  for (const ConfigError& error : result.errors) FAIL_CHECK(error.text());
  if (!result.config) return std::nullopt;
  const auto* config = std::get_if<T>(&result.config->modules.at(0).transport);
  if (config == nullptr) return std::nullopt;
  return *config;
}

Texts transport_errors(const std::string& transport) {
  return error_texts(
      with_module(R"({ "id": "m", "driver": "d", "name": "N", "transport": )" + transport + " }"));
}

// Several modules, each given as its transport only.
Texts bus_errors(const std::vector<std::string>& transports) {
  std::string modules;
  for (std::size_t i = 0; i < transports.size(); ++i) {
    modules += (i == 0 ? "" : ", ") + std::string(R"({ "id": "m)") + std::to_string(i) +
               R"(", "driver": "d", "name": "N", "transport": )" + transports[i] + " }";
  }
  return error_texts(with_module(modules));
}

TEST_CASE("serial transport with every field", "[config][serial]") {
  const auto serial = transport_of<SerialTransportConfig>(R"({ "serial": {
      "port": "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A1B2-if00-port0", "baud": 115200,
      "data_bits": 7, "parity": "even", "stop_bits": 2, "flow_control": "rtscts",
      "backoff_min": "200ms", "backoff_max": "2s" } })");
  REQUIRE(serial);
  CHECK(serial->port.path == "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A1B2-if00-port0");
  CHECK_FALSE(serial->port.usb);
  CHECK(serial->line.baud == 115200);
  CHECK(serial->line.data_bits == 7);
  CHECK(serial->line.parity == "even");
  CHECK(serial->line.stop_bits == 2);
  CHECK(serial->line.flow_control == "rtscts");
  CHECK(serial->backoff_min == Duration{200});
  CHECK(serial->backoff_max == seconds{2});
}

TEST_CASE("serial transport defaults and a USB identity", "[config][serial]") {
  const auto serial = transport_of<SerialTransportConfig>(
      R"({ "serial": { "port": { "usb": { "vid": "0403", "pid": "60Ab", "serial": "A1B2" } } } })");
  REQUIRE(serial);
  CHECK(serial->port.path.empty());
  REQUIRE(serial->port.usb);
  CHECK(serial->port.usb->vid == "0403");
  CHECK(serial->port.usb->pid == "60ab");
  CHECK(serial->port.usb->serial == "A1B2");
  CHECK(serial->port.describe() == "usb 0403:60ab serial A1B2");
  CHECK(serial->line.baud == 9600);
  CHECK(serial->line.data_bits == 8);
  CHECK(serial->line.parity == "none");
  CHECK(serial->line.stop_bits == 1);
  CHECK(serial->line.flow_control == "none");
  CHECK(serial->backoff_min == seconds{1});
  CHECK(serial->backoff_max == seconds{10});

  const auto any_serial = transport_of<SerialTransportConfig>(
      R"({ "serial": { "port": { "usb": { "vid": "1a86", "pid": "7523" } } } })");
  REQUIRE(any_serial);
  REQUIRE(any_serial->port.usb);
  CHECK(any_serial->port.usb->serial.empty());
  CHECK(any_serial->port.describe() == "usb 1a86:7523");
  SerialPortSpec path_spec;
  path_spec.path = "/dev/ttyUSB0";
  CHECK(path_spec.describe() == "/dev/ttyUSB0");
}

TEST_CASE("serial port errors", "[config][serial][errors]") {
  const std::string kPath = "modules[0].transport.serial.port";
  CHECK(transport_errors(R"({ "serial": { "baud": 9600 } })") == Texts{kPath + ": required"});
  CHECK(transport_errors(R"({ "serial": { "port": "" } })") ==
        Texts{kPath + ": must not be empty"});
  CHECK(transport_errors(R"({ "serial": { "port": "ttyUSB0" } })") ==
        Texts{kPath + R"(: expected an absolute path such as "/dev/ttyUSB0", got "ttyUSB0")"});
  CHECK(transport_errors(R"({ "serial": { "port": 3 } })") ==
        Texts{kPath +
              R"(: expected a device path or {"usb": {"vid": ..., "pid": ...}}, got number)"});
  CHECK(transport_errors(R"({ "serial": { "port": {} } })") == Texts{kPath + ".usb: required"});
  CHECK(transport_errors(R"({ "serial": { "port": { "usb": { "vid": "403", "pid": 6001,
                                                               "serail": "x" }, "path": "/x" } } })") ==
        Texts{kPath + R"(.usb.vid: expected a string of 4 hex digits such as "0403", got "403")",
              kPath + R"(.usb.pid: expected a string of 4 hex digits such as "0403", got 6001)",
              kPath + R"(.usb.serail: unknown key (did you mean "serial"?))",
              kPath + ".path: unknown key"});
  CHECK(transport_errors(R"({ "serial": { "port": { "usb": { "vid": "0403" } } } })") ==
        Texts{kPath + ".usb.pid: required"});
}

TEST_CASE("serial line errors", "[config][serial][errors]") {
  const std::string kRates =
      "50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, "
      "115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, "
      "2500000, 3000000, 3500000, 4000000";
  CHECK(
      transport_errors(R"({ "serial": { "port": "/dev/ttyS0", "baud": 12345, "data_bits": 9,
        "parity": "mark", "stop_bits": 1.5, "flow_control": "dtrdsr",
        "backoff_min": "1m" } })") ==
      Texts{
          "modules[0].transport.serial.baud: expected a standard baud rate (" + kRates +
              "), got 12345",
          "modules[0].transport.serial.data_bits: expected 5-8, got 9",
          R"(modules[0].transport.serial.parity: expected one of none, even, odd, got "mark")",
          "modules[0].transport.serial.stop_bits: expected 1 or 2, got 1.5",
          R"(modules[0].transport.serial.flow_control: expected one of none, rtscts, xonxoff, got "dtrdsr")",
          "modules[0].transport.serial.backoff_max: must not be less than backoff_min"});
  CHECK(transport_errors(R"({ "serial": { "port": "/dev/ttyS0", "baud": "9600", "data_bits": 4,
                                          "stop_bits": "1" } })") ==
        Texts{"modules[0].transport.serial.baud: expected an integer, got string",
              "modules[0].transport.serial.data_bits: expected 5-8, got 4",
              "modules[0].transport.serial.stop_bits: expected an integer, got string"});
  CHECK(transport_errors(R"({ "serial": { "port": "/dev/ttyS0", "baud": -9600 } })") ==
        Texts{"modules[0].transport.serial.baud: expected a standard baud rate (" + kRates +
              "), got -9600"});
}

TEST_CASE("modbus_tcp transport", "[config][modbus]") {
  const auto tcp = transport_of<ModbusTcpConfig>(R"({ "modbus_tcp": { "host": "10.0.0.9" } })");
  REQUIRE(tcp);
  CHECK(tcp->host == "10.0.0.9");
  CHECK(tcp->port == 502);
  CHECK(tcp->unit == -1);  // the driver's default
  CHECK(tcp->bus.timeout == seconds{1});
  CHECK(tcp->bus.gap == Duration{0});
  CHECK(tcp->bus.breaker_after == 3);
  CHECK(tcp->bus.breaker_retry == seconds{30});

  const auto full = transport_of<ModbusTcpConfig>(R"({ "modbus_tcp": { "host": "plc.local",
      "port": 1502, "unit": 0, "timeout": "250ms", "gap": "5ms", "breaker_after": 5,
      "breaker_retry": "1m" } })");
  REQUIRE(full);
  CHECK(full->port == 1502);
  CHECK(full->unit == 0);
  CHECK(full->bus.timeout == Duration{250});
  CHECK(full->bus.gap == Duration{5});
  CHECK(full->bus.breaker_after == 5);
  CHECK(full->bus.breaker_retry == minutes{1});

  CHECK(
      transport_errors(R"({ "modbus_tcp": { "port": 0, "unit": 256, "timeout": "0s",
        "breaker_after": 0, "breaker_retry": "0ms", "gap": "soon", "baud": 9600 } })") ==
      Texts{
          "modules[0].transport.modbus_tcp.host: required",
          "modules[0].transport.modbus_tcp.port: expected 1-65535, got 0",
          "modules[0].transport.modbus_tcp.unit: expected 0-247 or 255, got 256",
          "modules[0].transport.modbus_tcp.timeout: must be more than 0ms",
          R"(modules[0].transport.modbus_tcp.gap: expected a duration such as "500ms" or "10s", got "soon")",
          "modules[0].transport.modbus_tcp.breaker_after: expected an integer of at least 1, "
          "got 0",
          "modules[0].transport.modbus_tcp.breaker_retry: must be more than 0ms",
          "modules[0].transport.modbus_tcp.baud: unknown key"});
  CHECK(transport_errors(R"({ "modbus_tcp": { "host": "10.0.0.9", "unit": 250 } })") ==
        Texts{"modules[0].transport.modbus_tcp.unit: expected 0-247 or 255, got 250"});
}

TEST_CASE("modbus_rtu transport", "[config][modbus]") {
  const auto rtu = transport_of<ModbusRtuConfig>(R"({ "modbus_rtu": { "port": "/dev/ttyUSB0" } })");
  REQUIRE(rtu);
  CHECK(rtu->port.path == "/dev/ttyUSB0");
  CHECK(rtu->line.baud == 9600);
  CHECK(rtu->line.data_bits == 8);
  CHECK(rtu->line.parity == "none");
  CHECK(rtu->line.stop_bits == 1);
  CHECK(rtu->unit == -1);  // the driver's default
  CHECK(rtu->bus.timeout == seconds{1});
  CHECK(rtu->bus.breaker_after == 3);
  CHECK(rtu->bus.breaker_retry == seconds{30});
  // 3.5 characters of 10 bits at 9600 baud = 3.65 ms, rounded up.
  CHECK(rtu->bus.gap == Duration{4});

  const auto gap_for = [](const std::string& line) {
    const auto config = transport_of<ModbusRtuConfig>(
        R"({ "modbus_rtu": { "port": { "usb": { "vid": "0403", "pid": "6001" } }, )" + line +
        " } }");
    return config ? config->bus.gap : Duration{-1};
  };
  CHECK(gap_for(R"("baud": 9600, "parity": "even")") == Duration{5});  // 11 bits: 4.01 ms
  CHECK(gap_for(R"("baud": 2400, "stop_bits": 2)") == Duration{17});   // 11 bits: 16.04 ms
  CHECK(gap_for(R"("baud": 19200)") == Duration{2});                   // 1.82 ms
  CHECK(gap_for(R"("baud": 115200)") == Duration{2});                  // 0.30 ms: the minimum
  CHECK(gap_for(R"("baud": 1200, "gap": "0ms")") == Duration{0});      // explicit wins

  const auto full = transport_of<ModbusRtuConfig>(R"({ "modbus_rtu": {
      "port": { "usb": { "vid": "0403", "pid": "6001", "serial": "A1B2" } }, "baud": 19200,
      "data_bits": 7, "parity": "even", "stop_bits": 2, "unit": 104, "timeout": "300ms",
      "gap": "10ms", "breaker_after": 2, "breaker_retry": "10s" } })");
  REQUIRE(full);
  REQUIRE(full->port.usb);
  CHECK(full->port.usb->serial == "A1B2");
  CHECK(full->line.baud == 19200);
  CHECK(full->line.data_bits == 7);
  CHECK(full->line.parity == "even");
  CHECK(full->line.stop_bits == 2);
  CHECK(full->unit == 104);
  CHECK(full->bus.timeout == Duration{300});
  CHECK(full->bus.gap == Duration{10});
  CHECK(full->bus.breaker_after == 2);
  CHECK(full->bus.breaker_retry == seconds{10});

  CHECK(
      transport_errors(R"({ "modbus_rtu": { "port": "COM3", "unit": 0, "baud": 0,
                                              "flow_control": "none" } })") ==
      Texts{
          R"(modules[0].transport.modbus_rtu.port: expected an absolute path such as "/dev/ttyUSB0", got "COM3")",
          "modules[0].transport.modbus_rtu.baud: expected a standard baud rate (50, 75, 110, "
          "134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, "
          "115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, "
          "2000000, 2500000, 3000000, 3500000, 4000000), got 0",
          "modules[0].transport.modbus_rtu.unit: expected 1-247, got 0",
          "modules[0].transport.modbus_rtu.flow_control: unknown key"});
  CHECK(transport_errors(R"({ "modbus_rtu": { "port": "/dev/ttyUSB0", "unit": 248 } })") ==
        Texts{"modules[0].transport.modbus_rtu.unit: expected 1-247, got 248"});
}

TEST_CASE("modules on one modbus bus agree on its settings", "[config][modbus][errors]") {
  CHECK(bus_errors({R"({ "modbus_rtu": { "port": "/dev/ttyUSB0", "unit": 1 } })",
                    R"({ "modbus_rtu": { "port": "/dev/ttyUSB1", "unit": 1, "baud": 19200 } })",
                    R"({ "modbus_rtu": { "port": "/dev/ttyUSB0", "unit": 2 } })",
                    R"({ "modbus_rtu": { "port": "/dev/ttyUSB0", "unit": 3, "baud": 19200,
                                         "parity": "even", "timeout": "2s" } })",
                    R"({ "modbus_rtu": { "port": "/dev/ttyUSB0", "unit": 2, "gap": "9ms",
                                         "breaker_after": 4, "breaker_retry": "1500ms" } })"}) ==
        Texts{"modules[3].transport.modbus_rtu.baud: bus /dev/ttyUSB0 is already used by "
              "modules[0] with baud 9600",
              "modules[3].transport.modbus_rtu.parity: bus /dev/ttyUSB0 is already used by "
              "modules[0] with parity none",
              "modules[3].transport.modbus_rtu.timeout: bus /dev/ttyUSB0 is already used by "
              "modules[0] with timeout 1s",
              "modules[4].transport.modbus_rtu.gap: bus /dev/ttyUSB0 is already used by "
              "modules[0] with gap 4ms",
              "modules[4].transport.modbus_rtu.breaker_after: bus /dev/ttyUSB0 is already used "
              "by modules[0] with breaker_after 3",
              "modules[4].transport.modbus_rtu.breaker_retry: bus /dev/ttyUSB0 is already used "
              "by modules[0] with breaker_retry 30s",
              "modules[4].transport.modbus_rtu.unit: unit 2 on bus /dev/ttyUSB0 is already used "
              "by modules[2]"});

  CHECK(bus_errors({R"({ "modbus_tcp": { "host": "10.0.0.9", "timeout": "500ms" } })",
                    R"({ "modbus_tcp": { "host": "10.0.0.9", "port": 1502 } })",
                    R"({ "modbus_tcp": { "host": "10.0.0.9", "unit": 2 } })",
                    R"({ "modbus_tcp": { "host": "10.0.0.9", "unit": 2, "timeout": "500ms" } })",
                    // No unit: the driver's default, which only the runtime can compare.
                    R"({ "modbus_tcp": { "host": "10.0.0.9", "timeout": "500ms" } })"}) ==
        Texts{"modules[2].transport.modbus_tcp.timeout: bus 10.0.0.9:502 is already used by "
              "modules[0] with timeout 500ms",
              "modules[3].transport.modbus_tcp.unit: unit 2 on bus 10.0.0.9:502 is already "
              "used by modules[2]"});

  // The same adapter named by USB identity is the same bus; a lone bad module adds no noise.
  CHECK(bus_errors({R"({ "modbus_rtu": { "port": { "usb": { "vid": "0403", "pid": "6001" } },
                                         "unit": 104 } })",
                    R"({ "modbus_rtu": { "port": { "usb": { "vid": "0403", "pid": "6001" } },
                                         "unit": 104, "baud": 7 } })",
                    R"({ "modbus_rtu": { "port": { "usb": { "vid": "0403", "pid": "6001" } },
                                         "unit": 104, "parity": "odd" } })"}) ==
        Texts{"modules[1].transport.modbus_rtu.baud: expected a standard baud rate (50, 75, "
              "110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, "
              "57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, "
              "1500000, 2000000, 2500000, 3000000, 3500000, 4000000), got 7",
              "modules[2].transport.modbus_rtu.parity: bus usb 0403:6001 is already used by "
              "modules[0] with parity none",
              "modules[2].transport.modbus_rtu.unit: unit 104 on bus usb 0403:6001 is already "
              "used by modules[0]"});

  CHECK(bus_errors({R"({ "modbus_rtu": { "port": "/dev/ttyUSB0", "unit": 1 } })",
                    R"({ "modbus_rtu": { "port": "/dev/ttyUSB0", "unit": 2 } })",
                    R"({ "modbus_tcp": { "host": "10.0.0.9", "unit": 1 } })",
                    R"({ "modbus_tcp": { "host": "10.0.0.10", "unit": 1 } })"})
            .empty());
}

TEST_CASE("a serial port is opened by one module only", "[config][serial][errors]") {
  CHECK(bus_errors({R"({ "serial": { "port": "/dev/ttyUSB0" } })",
                    R"({ "serial": { "port": "/dev/ttyUSB0" } })",
                    R"({ "modbus_rtu": { "port": "/dev/ttyUSB0" } })",
                    R"({ "modbus_rtu": { "port": "/dev/ttyUSB1" } })",
                    R"({ "serial": { "port": "/dev/ttyUSB1" } })",
                    R"({ "serial": { "port": "/dev/ttyUSB2" } })"}) ==
        Texts{"modules[1].transport.serial.port: port /dev/ttyUSB0 is already used by modules[0]",
              "modules[2].transport.modbus_rtu.port: port /dev/ttyUSB0 is already used by "
              "modules[0]",
              "modules[4].transport.serial.port: port /dev/ttyUSB1 is already used by "
              "modules[3]"});
}

TEST_CASE("api limits", "[config]") {
  auto result = parse_config(R"({ "box": { "id": "b" }, "modules": [],
      "api": { "max_frame": "16KiB", "max_connections": 10, "max_queue": "2MiB",
               "max_queue_age": "5s", "idle_timeout": "20s", "header_timeout": "3s",
               "max_connections_per_address": 4, "max_bindings": 50,
               "max_execs_in_flight": 8 } })");
  REQUIRE(result.errors.empty());
  CHECK(result.config->api.max_frame == 16 * 1024);
  CHECK(result.config->api.max_connections == 10);
  CHECK(result.config->api.max_queue_bytes == 2 * 1024 * 1024);
  CHECK(result.config->api.max_queue_age == std::chrono::seconds(5));
  CHECK(result.config->api.idle_timeout == std::chrono::seconds(20));
  CHECK(result.config->api.header_timeout == std::chrono::seconds(3));
  CHECK(result.config->api.max_connections_per_address == 4);
  CHECK(result.config->api.max_bindings == 50);
  CHECK(result.config->api.max_execs_in_flight == 8);

  CHECK(error_texts(R"({ "box": { "id": "b" }, "modules": [],
      "api": { "max_frame": "huge", "max_connections": 0, "max_queue": "1B",
               "max_bindings": -1, "max_execs_in_flight": "many", "header_timeout": "0s" } })") ==
        Texts{R"(api.max_frame: expected a size such as "64KiB" or "1MiB", got "huge")",
              "api.max_connections: expected 1-100000, got 0",
              "api.max_bindings: expected 1-1000000, got -1",
              "api.max_execs_in_flight: expected an integer, got string",
              "api.max_queue: expected 1024 to 1073741824 bytes, got 1",
              "api.header_timeout: must be more than 0ms"});
  // The defaults are what docs/api.md promises.
  const ApiConfig defaults;
  CHECK(defaults.max_connections == 256);
  CHECK(defaults.max_connections_per_address == 32);
  CHECK(defaults.max_bindings == 1000);
  CHECK(defaults.max_execs_in_flight == 64);
  CHECK(defaults.header_timeout == std::chrono::seconds(10));
}

std::string with_api_tls(const std::string& tls) {
  return R"({ "box": { "id": "b" }, "modules": [], "api": { "tls": )" + tls + " } }";
}

std::string tls_files(const std::string& cert, const std::string& key) {
  return R"({ "cert_file": ")" + cert + R"(", "key_file": ")" + key + R"(" })";
}

TEST_CASE("api tls names a certificate and its key", "[config][tls]") {
  const auto& certs = test::TestCertificates::get();
  auto result = parse_config(with_api_tls(tls_files(certs.server_cert, certs.server_key)));
  REQUIRE(result.errors.empty());
  REQUIRE(result.config->api.tls.has_value());
  CHECK(result.config->api.tls->cert_file == certs.server_cert);
  CHECK(result.config->api.tls->key_file == certs.server_key);
  CHECK_FALSE(
      parse_config(R"({ "box": { "id": "b" }, "modules": [] })").config->api.tls.has_value());
}

TEST_CASE("api tls errors name the field and the file", "[config][tls][errors]") {
  const auto& certs = test::TestCertificates::get();
  CHECK(error_texts(with_api_tls("{}")) ==
        Texts{"api.tls.cert_file: required", "api.tls.key_file: required"});
  CHECK(error_texts(with_api_tls(tls_files("/nonexistent/box.crt", certs.server_key))) ==
        Texts{R"(api.tls.cert_file: no such file: "/nonexistent/box.crt")"});
  CHECK(error_texts(with_api_tls("true")) == Texts{"api.tls: expected an object, got boolean"});

  // A key that is not the certificate's: named with both files, never with the key's bytes.
  auto texts = error_texts(with_api_tls(tls_files(certs.server_cert, certs.client_key)));
  REQUIRE(texts.size() == 1);
  INFO(texts[0]);
  CHECK(texts[0].starts_with("api.tls.key_file: the private key in " + certs.client_key +
                             " does not belong to the certificate in " + certs.server_cert));

  // Not PEM at all: the key where the certificate should be, and the reverse.
  texts = error_texts(with_api_tls(tls_files(certs.server_key, certs.server_key)));
  REQUIRE(texts.size() == 1);
  CHECK(texts[0].starts_with("api.tls.cert_file: cannot read a PEM certificate from " +
                             certs.server_key));
  texts = error_texts(with_api_tls(tls_files(certs.server_cert, certs.server_cert)));
  REQUIRE(texts.size() == 1);
  CHECK(texts[0].starts_with("api.tls.key_file: cannot read an unencrypted PEM private key from " +
                             certs.server_cert));
  CHECK(texts[0].find("PRIVATE KEY") == std::string::npos);

  // A key the service may not read.
  if (geteuid() != 0) {  // root reads it anyway
    test::TempDir dir;
    const auto locked = dir.path() + "/locked.key";
    std::filesystem::copy_file(certs.server_key, locked);
    std::filesystem::permissions(locked, std::filesystem::perms::none);
    texts = error_texts(with_api_tls(tls_files(certs.server_cert, locked)));
    REQUIRE(texts.size() == 1);
    INFO(texts[0]);
    CHECK(
        texts[0].starts_with("api.tls.key_file: cannot read an unencrypted PEM private key from " +
                             locked + ": Permission denied"));
  }
}

}  // namespace
}  // namespace roomd
