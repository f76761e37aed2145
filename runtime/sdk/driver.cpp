#include "runtime/sdk/driver.hpp"

#include <type_traits>
#include <utility>

namespace roomd {
namespace {

// Requests are built as named locals: g++ 12 mishandles aggregate temporaries that own
// memory inside co_await expressions.
modbus::Request make_request(modbus::Table table, std::uint16_t address, std::uint16_t count,
                             bool poll) {
  modbus::Request request;
  request.table = table;
  request.address = address;
  request.count = count;
  request.poll = poll;
  return request;
}

// One read, for either table family: `field` is where the result holds what it read.
template <auto field>
auto read_values(ModuleContext* context, modbus::Request request)
    -> Task<std::remove_cvref_t<decltype(std::declval<modbus::Result>().*field)>> {
  auto result = co_await context->modbus(std::move(request));
  if (!result.ok) throw RequestFailed(result.error);
  co_return std::move(result.*field);
}

}  // namespace

Task<std::vector<std::uint16_t>> Driver::read_registers(modbus::Table table, std::uint16_t address,
                                                        std::uint16_t count, bool poll) {
  auto request = make_request(table, address, count, poll);
  return read_values<&modbus::Result::registers>(context_, std::move(request));
}

Task<std::vector<std::uint8_t>> Driver::read_bits(modbus::Table table, std::uint16_t address,
                                                  std::uint16_t count, bool poll) {
  auto request = make_request(table, address, count, poll);
  return read_values<&modbus::Result::bits>(context_, std::move(request));
}

Task<void> Driver::write_registers(std::uint16_t address, std::vector<std::uint16_t> values) {
  auto request = make_request(modbus::Table::holding_register, address,
                              static_cast<std::uint16_t>(values.size()), false);
  request.write = true;
  request.registers = std::move(values);
  auto result = co_await context_->modbus(std::move(request));
  if (!result.ok) throw RequestFailed(result.error);
}

Task<void> Driver::write_coils(std::uint16_t address, std::vector<std::uint8_t> values) {
  auto request =
      make_request(modbus::Table::coil, address, static_cast<std::uint16_t>(values.size()), false);
  request.write = true;
  request.bits = std::move(values);
  auto result = co_await context_->modbus(std::move(request));
  if (!result.ok) throw RequestFailed(result.error);
}

}  // namespace roomd
