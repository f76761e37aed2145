#include "transports/modbus_bus_registry.hpp"

#include "transports/host_port.hpp"
#include "transports/modbus_bus_worker.hpp"
#include "transports/modbus_transaction.hpp"

#include <map>
#include <mutex>
#include <utility>

namespace roomd::modbus {

struct BusRegistry::Impl {
  // Returns the live bus for `key`, or makes one. A bus someone stopped is replaced, so a
  // module created after stop_all() (a config reload) gets a working bus.
  template <class Make>
  std::shared_ptr<Bus> get(const std::string& key, Make make) {
    std::lock_guard lock(mutex);
    auto& bus = buses[key];
    if (!bus || bus->stopped()) bus = make();
    return bus;
  }

  PortResolver resolver;
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<BusWorker>> buses;
};

BusRegistry::BusRegistry(PortResolver resolver) : impl_(std::make_unique<Impl>()) {
  impl_->resolver = std::move(resolver);
}

BusRegistry::~BusRegistry() {
  stop_all();
}

std::shared_ptr<Bus> BusRegistry::tcp(const ModbusTcpConfig& config) {
  // The first module's bus settings win; the config loader checks that modules sharing a bus
  // agree on them.
  return impl_->get("tcp:" + host_port(config.host, config.port),
                    [&] { return std::make_shared<BusWorker>(config); });
}

std::shared_ptr<Bus> BusRegistry::rtu(const ModbusRtuConfig& config) {
  // Keyed by the spec as written, not the device it resolves to now: the adapter may be
  // absent at start and come back under another name.
  return impl_->get("rtu:" + port_text(config.port),
                    [&] { return std::make_shared<BusWorker>(config, impl_->resolver); });
}

void BusRegistry::stop_all() {
  std::map<std::string, std::shared_ptr<BusWorker>> buses;
  {
    std::lock_guard lock(impl_->mutex);
    buses.swap(impl_->buses);
  }
  // Every worker is told first and joined after, so buses that are mid-transaction wind down
  // together instead of one response timeout after another.
  for (auto& [key, bus] : buses) bus->request_stop();
  for (auto& [key, bus] : buses) bus->stop();
}

}  // namespace roomd::modbus
