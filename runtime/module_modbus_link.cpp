// Module over a Modbus bus: one request at a time for this module's unit, and whether the
// unit answers (the module's `connected`).
#include "runtime/module.hpp"

#include <boost/asio/use_awaitable.hpp>

namespace roomd {
namespace {

// A request and its answer as the debug console shows them: `-> read holding 40 x2`,
// `<- [215, 3]`.
template <class Values>
std::string list(const Values& values) {
  std::string out = "[";
  for (auto v : values) out += (out.size() > 1 ? ", " : "") + std::to_string(v);
  return out + "]";
}

std::string traffic_text(const modbus::Request& request) {
  std::string out = std::string(request.write ? "write " : "read ") +
                    std::string(modbus::to_string(request.table)) + " " +
                    std::to_string(request.address);
  if (!request.write) return out + " x" + std::to_string(request.count);
  return out + " " + (request.registers.empty() ? list(request.bits) : list(request.registers));
}

std::string traffic_text(const modbus::Result& result) {
  if (!result.ok) return "error: " + result.error;
  if (!result.bits.empty()) return list(result.bits);
  return list(result.registers);
}

}  // namespace

Task<modbus::Result> Module::modbus(modbus::Request request) {
  auto bus = modbus_.bus;
  if (!bus)
    throw RequestFailed(config_.id + " has no modbus transport (driver " + driver_.info.name +
                        "; give the module a modbus_tcp or modbus_rtu transport)");
  request.unit = modbus_.unit;
  auto generation = generation_;
  // A named local: g++ 12 copies closure temporaries inside co_await expressions bitwise,
  // which breaks the reference counts of the captured bus and executor.
  auto initiate = [bus, strand = strand_](auto handler, modbus::Request request) {
    // use_awaitable's handler is move-only; the bus keeps a copyable callback.
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    bus->submit(std::move(request), strand,
                [shared](modbus::Result result) { (*shared)(std::move(result)); });
  };
  if (log_.enabled(LogLevel::debug)) log_.write(LogLevel::debug, "-> " + traffic_text(request));
  auto result = co_await asio::async_initiate<const asio::use_awaitable_t<>, void(modbus::Result)>(
      initiate, asio::use_awaitable, std::move(request));
  if (log_.enabled(LogLevel::debug)) log_.write(LogLevel::debug, "<- " + traffic_text(result));
  if (generation == generation_) note_modbus_result(result);
  co_return result;
}

void Module::note_modbus_result(const modbus::Result& result) {
  // An exception reply still proves the slave is there.
  if (result.ok || result.exception != 0) {
    if (!online_) log_.info("unit ", modbus_.unit, " on ", modbus_.bus->describe(), " answers");
    set_online(true);
    return;
  }
  if (!online_) return;
  if (!modbus_.bus->connected() ||
      modbus_.bus->health(modbus_.unit) == modbus::SlaveHealth::tripped) {
    log_.warn(result.error);
    set_online(false);
  }
}

}  // namespace roomd
