#include "transports/modbus_frame.hpp"

#include <stdexcept>
#include <string>

namespace roomd::modbus {

namespace {

std::uint8_t high_byte(std::uint16_t v) {
  return static_cast<std::uint8_t>(v >> 8);
}
std::uint8_t low_byte(std::uint16_t v) {
  return static_cast<std::uint8_t>(v & 0xFF);
}
std::uint16_t be16(std::uint8_t high, std::uint8_t low) {
  return static_cast<std::uint16_t>((high << 8) | low);
}

std::uint8_t unit_byte(int unit) {
  if (unit < 0 || unit > 255) {
    throw std::invalid_argument("modbus: unit " + std::to_string(unit) + " is not 0-255");
  }
  return static_cast<std::uint8_t>(unit);
}

ReadResponse failure(FrameError error) {
  ReadResponse r;
  r.error = error;
  return r;
}

}  // namespace

std::uint16_t crc16(std::span<const std::uint8_t> bytes) {
  std::uint16_t crc = 0xFFFF;
  for (std::uint8_t byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA001)
                      : static_cast<std::uint16_t>(crc >> 1);
    }
  }
  return crc;
}

std::vector<std::uint8_t> rtu_adu(int unit, std::span<const std::uint8_t> pdu) {
  std::vector<std::uint8_t> adu;
  adu.reserve(pdu.size() + 3);
  adu.push_back(unit_byte(unit));
  adu.insert(adu.end(), pdu.begin(), pdu.end());
  const std::uint16_t crc = crc16(adu);
  adu.push_back(low_byte(crc));
  adu.push_back(high_byte(crc));
  return adu;
}

std::vector<std::uint8_t> request_pdu(std::uint8_t function, std::uint16_t address,
                                      std::uint16_t count) {
  return {function, high_byte(address), low_byte(address), high_byte(count), low_byte(count)};
}

std::vector<std::uint8_t> rtu_request(int unit, std::uint8_t function, std::uint16_t address,
                                      std::uint16_t count) {
  return rtu_adu(unit, request_pdu(function, address, count));
}

bool rtu_crc_ok(std::span<const std::uint8_t> adu) {
  if (adu.size() < 3) return false;
  const std::uint16_t crc = crc16(adu.first(adu.size() - 2));
  return adu[adu.size() - 2] == low_byte(crc) && adu[adu.size() - 1] == high_byte(crc);
}

// Mirrors how libmodbus sizes an indication, so the simulator consumes exactly the frame
// libmodbus consumed when it set one aside for another unit.
std::optional<std::size_t> rtu_request_length(std::span<const std::uint8_t> head) {
  if (head.size() < 2) return std::nullopt;
  const std::uint8_t function = head[1];
  if (function <= kFcWriteSingleRegister) return 8;
  if (function == kFcWriteMultipleCoils || function == kFcWriteMultipleRegisters) {
    if (head.size() < 7) return std::nullopt;
    return 9 + static_cast<std::size_t>(head[6]);
  }
  if (function == kFcMaskWriteRegister) return 10;
  if (function == kFcWriteAndReadRegisters) {
    if (head.size() < 11) return std::nullopt;
    return 13 + static_cast<std::size_t>(head[10]);
  }
  return 4;  // read exception status, report server id: no data
}

std::optional<std::size_t> rtu_response_length(std::span<const std::uint8_t> head) {
  if (head.size() < 2) return std::nullopt;
  const std::uint8_t function = head[1];
  if (function & kExceptionBit) return 5;
  switch (function) {
    case kFcReadCoils:
    case kFcReadDiscreteInputs:
    case kFcReadHoldingRegisters:
    case kFcReadInputRegisters:
    case kFcWriteAndReadRegisters:
    case 0x11:  // report server id
      if (head.size() < 3) return std::nullopt;
      return 5 + static_cast<std::size_t>(head[2]);
    case kFcWriteSingleCoil:
    case kFcWriteSingleRegister:
    case kFcWriteMultipleCoils:
    case kFcWriteMultipleRegisters:
      return 8;
    case kFcMaskWriteRegister:
      return 10;
    case 0x07:  // read exception status
      return 5;
    default:
      return std::nullopt;
  }
}

std::string_view to_string(FrameError error) {
  switch (error) {
    case FrameError::none:
      return "ok";
    case FrameError::truncated:
      return "truncated frame";
    case FrameError::bad_crc:
      return "bad CRC";
    case FrameError::bad_header:
      return "bad MBAP header";
    case FrameError::unit_mismatch:
      return "response from another unit or transaction";
    case FrameError::function_mismatch:
      return "response to another function";
    case FrameError::exception:
      return "exception response";
    case FrameError::bad_byte_count:
      return "bad byte count";
  }
  return "unknown frame error";
}

ReadResponse parse_read_response_pdu(std::span<const std::uint8_t> pdu, std::uint8_t function,
                                     std::uint16_t count) {
  const bool bits = function == kFcReadCoils || function == kFcReadDiscreteInputs;
  if (!bits && function != kFcReadHoldingRegisters && function != kFcReadInputRegisters) {
    throw std::invalid_argument("modbus: function " + std::to_string(function) + " is not a read");
  }
  if (pdu.empty()) return failure(FrameError::truncated);
  if (pdu[0] == (function | kExceptionBit)) {
    if (pdu.size() < 2) return failure(FrameError::truncated);
    ReadResponse r = failure(FrameError::exception);
    r.exception = pdu[1];
    return r;
  }
  if (pdu[0] != function) return failure(FrameError::function_mismatch);
  if (pdu.size() < 2) return failure(FrameError::truncated);
  const std::size_t byte_count = pdu[1];
  if (pdu.size() < 2 + byte_count) return failure(FrameError::truncated);
  const std::size_t expected = bits ? (count + 7u) / 8u : 2u * count;
  if (pdu.size() > 2 + byte_count || byte_count != expected) {
    return failure(FrameError::bad_byte_count);
  }
  ReadResponse r;
  const auto data = pdu.subspan(2);
  if (bits) {
    r.bits.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      r.bits.push_back(static_cast<std::uint8_t>((data[i / 8] >> (i % 8)) & 1));
    }
  } else {
    r.registers.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
      r.registers.push_back(be16(data[2 * i], data[2 * i + 1]));
  }
  return r;
}

ReadResponse parse_rtu_read_response(std::span<const std::uint8_t> adu, int unit,
                                     std::uint8_t function, std::uint16_t count) {
  // The shortest valid response is an exception: unit, function, code, CRC.
  if (adu.size() < 5) return failure(FrameError::truncated);
  if (!rtu_crc_ok(adu)) return failure(FrameError::bad_crc);
  if (adu[0] != unit_byte(unit)) return failure(FrameError::unit_mismatch);
  return parse_read_response_pdu(adu.subspan(1, adu.size() - 3), function, count);
}

std::array<std::uint8_t, kMbapHeaderLength> encode_mbap(const MbapHeader& header) {
  return {high_byte(header.transaction),
          low_byte(header.transaction),
          high_byte(header.protocol),
          low_byte(header.protocol),
          high_byte(header.length),
          low_byte(header.length),
          header.unit};
}

std::optional<MbapHeader> parse_mbap(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kMbapHeaderLength) return std::nullopt;
  return MbapHeader{.transaction = be16(bytes[0], bytes[1]),
                    .protocol = be16(bytes[2], bytes[3]),
                    .length = be16(bytes[4], bytes[5]),
                    .unit = bytes[6]};
}

std::vector<std::uint8_t> tcp_adu(std::uint16_t transaction, int unit,
                                  std::span<const std::uint8_t> pdu) {
  if (pdu.size() > kMaxPduLength) throw std::invalid_argument("modbus: PDU too long");
  const auto header = encode_mbap({.transaction = transaction,
                                   .length = static_cast<std::uint16_t>(pdu.size() + 1),
                                   .unit = unit_byte(unit)});
  std::vector<std::uint8_t> adu(header.begin(), header.end());
  adu.insert(adu.end(), pdu.begin(), pdu.end());
  return adu;
}

std::array<std::uint8_t, kTcpReadRequestLength> tcp_read_request(std::uint16_t transaction,
                                                                 int unit, std::uint8_t function,
                                                                 std::uint16_t address,
                                                                 std::uint16_t count) {
  return {high_byte(transaction),
          low_byte(transaction),
          0,
          0,
          0,
          6,
          unit_byte(unit),
          function,
          high_byte(address),
          low_byte(address),
          high_byte(count),
          low_byte(count)};
}

void set_mbap_length(std::span<std::uint8_t> adu) {
  if (adu.size() < kMbapHeaderLength) return;
  const auto length = static_cast<std::uint16_t>(adu.size() - (kMbapHeaderLength - 1));
  adu[4] = high_byte(length);
  adu[5] = low_byte(length);
}

std::uint16_t mbap_transaction(std::span<const std::uint8_t> adu) {
  return be16(adu[0], adu[1]);
}

ReadResponse parse_tcp_read_response(std::span<const std::uint8_t> adu, std::uint16_t transaction,
                                     int unit, std::uint8_t function, std::uint16_t count) {
  const auto header = parse_mbap(adu);
  if (!header) return failure(FrameError::truncated);
  if (header->protocol != 0 || header->length < 2) return failure(FrameError::bad_header);
  const std::size_t total = kMbapHeaderLength - 1 + header->length;
  if (adu.size() < total) return failure(FrameError::truncated);
  if (adu.size() > total) return failure(FrameError::bad_header);
  if (header->transaction != transaction || header->unit != unit_byte(unit)) {
    return failure(FrameError::unit_mismatch);
  }
  return parse_read_response_pdu(adu.subspan(kMbapHeaderLength), function, count);
}

}  // namespace roomd::modbus
