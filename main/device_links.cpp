#include "main/device_links.hpp"

#include "transports/modbus_bus_registry.hpp"
#include "transports/serial_port_resolver.hpp"
#include "transports/serial_transport.hpp"
#include "transports/tcp_client.hpp"
#include "transports/udp_client.hpp"

namespace roomd {

namespace {

class RealDeviceLinks final : public DeviceLinks {
 public:
  RealDeviceLinks() : buses_(resolver()) {}

  TransportFactory transport(const TransportConfig& config, const DriverInfo& driver) override {
    const auto port = driver.default_port;
    if (const auto* tcp = std::get_if<TcpTransportConfig>(&config)) {
      return [cfg = *tcp, port](Executor ex) -> std::unique_ptr<Transport> {
        return std::make_unique<TcpClient>(ex, cfg, port);
      };
    }
    if (const auto* udp = std::get_if<UdpTransportConfig>(&config)) {
      return [cfg = *udp, port](Executor ex) -> std::unique_ptr<Transport> {
        return std::make_unique<UdpClient>(ex, cfg, port);
      };
    }
    if (const auto* serial = std::get_if<SerialTransportConfig>(&config)) {
      return [cfg = *serial](Executor ex) -> std::unique_ptr<Transport> {
        return std::make_unique<SerialTransport>(ex, cfg);
      };
    }
    return {};
  }

  std::shared_ptr<modbus::Bus> modbus_bus(const TransportConfig& config) override {
    if (const auto* tcp = std::get_if<ModbusTcpConfig>(&config)) return buses_.tcp(*tcp);
    if (const auto* rtu = std::get_if<ModbusRtuConfig>(&config)) return buses_.rtu(*rtu);
    return nullptr;
  }

  void stop() override { buses_.stop_all(); }

 private:
  // An RTU port named by USB identity is looked up again at every reconnect.
  static modbus::PortResolver resolver() {
    auto catalog = std::make_shared<SystemPortCatalog>();
    return
        [catalog](const SerialPortSpec& spec) { return resolve_serial_port(spec, *catalog).path; };
  }

  modbus::BusRegistry buses_;
};

}  // namespace

std::unique_ptr<DeviceLinks> make_device_links() {
  return std::make_unique<RealDeviceLinks>();
}

}  // namespace roomd
