// Fuzz target: the Modbus frame decoders (RTU and TCP read responses, MBAP headers, the length
// rules a server and a client read by), with the request they answer taken from the input.
#include "transports/modbus_frame.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

namespace modbus = roomd::modbus;

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "modbus frame fuzz: %s\n", what);
  std::abort();
}

void check_read(const modbus::ReadResponse& response, std::uint8_t function, std::uint16_t count) {
  if (!response.ok()) return;
  const bool bits = function == modbus::kFcReadCoils || function == modbus::kFcReadDiscreteInputs;
  if (bits) {
    if (response.bits.size() != count || !response.registers.empty())
      finding("a bit read answered with another number of values");
    for (auto bit : response.bits)
      if (bit > 1) finding("a bit that is neither 0 nor 1");
  } else if (response.registers.size() != count || !response.bits.empty()) {
    finding("a register read answered with another number of values");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const auto function = static_cast<std::uint8_t>(input.ConsumeIntegralInRange(1, 4));
  // Past the protocol's limits too: the decoders must not trust the caller either.
  const auto count = input.ConsumeIntegralInRange<std::uint16_t>(0, 2100);
  const int unit = input.ConsumeIntegral<std::uint8_t>();
  const auto transaction = input.ConsumeIntegral<std::uint16_t>();
  const auto adu = input.ConsumeRemainingBytes<std::uint8_t>();

  const auto rtu = modbus::parse_rtu_read_response(adu, unit, function, count);
  check_read(rtu, function, count);
  if (rtu.ok() && !modbus::rtu_crc_ok(adu)) finding("an RTU response accepted with a bad CRC");
  if (rtu.ok()) {
    const auto length = modbus::rtu_response_length(adu);
    if (!length || *length != adu.size()) finding("rtu_response_length disagrees with the frame");
  }
  check_read(modbus::parse_tcp_read_response(adu, transaction, unit, function, count), function,
             count);
  if (adu.size() > 2) {
    const std::span<const std::uint8_t> pdu(adu.data() + 1, adu.size() - 1);
    if (!modbus::rtu_crc_ok(modbus::rtu_adu(unit, pdu))) finding("rtu_adu makes a bad CRC");
    if (pdu.size() <= modbus::kMaxPduLength) {
      const auto tcp = modbus::tcp_adu(transaction, unit, pdu);
      const auto header = modbus::parse_mbap(tcp);
      if (!header || header->transaction != transaction || header->unit != unit ||
          header->length != pdu.size() + 1)
        finding("parse_mbap does not read back what tcp_adu wrote");
    }
  }
  (void)modbus::rtu_request_length(adu);
  (void)modbus::rtu_response_length(adu);
  return 0;
}
