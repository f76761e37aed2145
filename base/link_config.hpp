// How roomd reaches a device: the plain settings of each kind of link (TCP, UDP, serial,
// Modbus TCP and RTU). The config loader produces them and the transports consume them, so
// neither depends on the other.
#pragma once

#include "base/asio.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace roomd {

struct TcpTransportConfig {
  std::string host;
  std::uint16_t port = 0;  // 0: the driver's default port
  Duration connect_timeout{5000};
  Duration backoff_min{1000};
  Duration backoff_max{10000};
  bool keepalive = true;

  bool operator==(const TcpTransportConfig&) const = default;
};

struct UdpTransportConfig {
  std::string host;
  std::uint16_t port = 0;        // 0: the driver's default port
  std::uint16_t local_port = 0;  // 0: ephemeral

  bool operator==(const UdpTransportConfig&) const = default;
};

// A serial port by path ("/dev/ttyUSB0", "/dev/serial/by-id/usb-FTDI_..." or a pty such as
// "/dev/pts/3"), or by USB identity, looked up again at every reconnect.
struct UsbIdentity {
  std::string vid;     // 4 lowercase hex digits, "0403"
  std::string pid;     // 4 lowercase hex digits, "6001"
  std::string serial;  // empty: any serial number

  bool operator==(const UsbIdentity&) const = default;
};

struct SerialPortSpec {
  std::string path;
  std::optional<UsbIdentity> usb;
  std::string describe() const;  // "/dev/ttyUSB0" or "usb 0403:6001 serial A1B2"

  bool operator==(const SerialPortSpec&) const = default;
};

// The rates a serial line may be set to (termios has a constant for each).
constexpr std::array<int, 30> kStandardBaudRates = {
    50,     75,     110,     134,     150,     200,     300,     600,     1200,    1800,
    2400,   4800,   9600,    19200,   38400,   57600,   115200,  230400,  460800,  500000,
    576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000};

struct SerialLineConfig {
  int baud = 9600;
  int data_bits = 8;                  // 5-8
  std::string parity = "none";        // none | even | odd
  int stop_bits = 1;                  // 1 | 2
  std::string flow_control = "none";  // none | rtscts | xonxoff

  bool operator==(const SerialLineConfig&) const = default;
};

struct SerialTransportConfig {
  SerialPortSpec port;
  SerialLineConfig line;
  Duration backoff_min{1000};
  Duration backoff_max{10000};

  bool operator==(const SerialTransportConfig&) const = default;
};

// Modules with the same host:port (TCP) or the same port (RTU) share one bus; their bus
// settings (timeout, gap, breaker) must agree.
struct ModbusBusConfig {
  Duration timeout{1000};         // response timeout per request
  Duration gap{0};                // quiet time between frames; RTU default: 3.5 characters
  int breaker_after = 3;          // consecutive timeouts before a slave is polled slowly
  Duration breaker_retry{30000};  // how often a tripped slave is tried again

  bool operator==(const ModbusBusConfig&) const = default;
};

struct ModbusTcpConfig {
  std::string host;
  std::uint16_t port = 502;
  int unit = -1;  // 0-255 on TCP; -1: the driver's default unit
  ModbusBusConfig bus;

  bool operator==(const ModbusTcpConfig&) const = default;
};

struct ModbusRtuConfig {
  SerialPortSpec port;
  SerialLineConfig line;
  int unit = -1;  // 1-247; -1: the driver's default unit
  ModbusBusConfig bus;

  bool operator==(const ModbusRtuConfig&) const = default;
};

using TransportConfig = std::variant<std::monostate, TcpTransportConfig, UdpTransportConfig,
                                     SerialTransportConfig, ModbusTcpConfig, ModbusRtuConfig>;

}  // namespace roomd
