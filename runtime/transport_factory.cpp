#include "runtime/transport_factory.hpp"

#include "transports/serial_port_resolver.hpp"
#include "transports/serial_transport.hpp"
#include "transports/tcp_client.hpp"
#include "transports/udp_client.hpp"

namespace roomd {

TransportFactory transport_factory(const TransportConfig& config, const DriverInfo& driver) {
  auto port = driver.default_port;
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

modbus::PortResolver serial_port_resolver() {
  auto catalog = std::make_shared<SystemPortCatalog>();
  return [catalog](const SerialPortSpec& spec) { return resolve_serial_port(spec, *catalog).path; };
}

}  // namespace roomd
