// Modbus frames as bytes, without any I/O: the RTU CRC, RTU request and response ADUs, and the
// MBAP header of Modbus TCP. The bus uses them to check what libmodbus cannot tell it, the
// simulator to frame RTU requests it must answer itself, and the tests to pin the spec vectors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace roomd::modbus {

inline constexpr std::uint8_t kFcReadCoils = 0x01;
inline constexpr std::uint8_t kFcReadDiscreteInputs = 0x02;
inline constexpr std::uint8_t kFcReadHoldingRegisters = 0x03;
inline constexpr std::uint8_t kFcReadInputRegisters = 0x04;
inline constexpr std::uint8_t kFcWriteSingleCoil = 0x05;
inline constexpr std::uint8_t kFcWriteSingleRegister = 0x06;
inline constexpr std::uint8_t kFcWriteMultipleCoils = 0x0F;
inline constexpr std::uint8_t kFcWriteMultipleRegisters = 0x10;
inline constexpr std::uint8_t kFcMaskWriteRegister = 0x16;
inline constexpr std::uint8_t kFcWriteAndReadRegisters = 0x17;
inline constexpr std::uint8_t kExceptionBit = 0x80;

inline constexpr std::size_t kRtuMaxAduLength = 256;
inline constexpr std::size_t kMaxPduLength = 253;
inline constexpr std::size_t kMbapHeaderLength = 7;
inline constexpr std::uint16_t kMaxReadRegisters = 125;
inline constexpr std::uint16_t kMaxReadBits = 2000;

// CRC-16/Modbus (poly 0xA001 reflected, init 0xFFFF). On the wire the low byte goes first.
std::uint16_t crc16(std::span<const std::uint8_t> bytes);

// unit, pdu, CRC (low byte first).
std::vector<std::uint8_t> rtu_adu(int unit, std::span<const std::uint8_t> pdu);
// A read or single-value request PDU: function, address and count (or value), big-endian.
std::vector<std::uint8_t> request_pdu(std::uint8_t function, std::uint16_t address,
                                      std::uint16_t count);
// rtu_adu(unit, request_pdu(function, address, count)): `01 04 00 01 00 02 20 0B`.
std::vector<std::uint8_t> rtu_request(int unit, std::uint8_t function, std::uint16_t address,
                                      std::uint16_t count);
// True when the last two bytes are the CRC of the rest (and there is a rest).
bool rtu_crc_ok(std::span<const std::uint8_t> adu);

// Total length of an RTU request whose first bytes are `head`, as a server reads it; nullopt
// while `head` is too short to tell (at most 11 bytes are needed, for function 0x17).
std::optional<std::size_t> rtu_request_length(std::span<const std::uint8_t> head);
// Total length of an RTU response whose first bytes are `head` (3 are enough): what a client
// reads before checking the CRC.
std::optional<std::size_t> rtu_response_length(std::span<const std::uint8_t> head);

enum class FrameError {
  none,
  truncated,          // shorter than its own header says, or than any valid frame
  bad_crc,            // RTU CRC does not match
  bad_header,         // MBAP protocol id not 0, or length not matching the bytes
  unit_mismatch,      // answered by another unit (or another transaction, on TCP)
  function_mismatch,  // answers another function
  exception,          // a Modbus exception response; see `exception`
  bad_byte_count,     // byte count does not match the count asked for, or the bytes present
};
std::string_view to_string(FrameError error);

// A parsed read response: registers for functions 3 and 4, bits (one 0/1 per byte) for 1 and 2.
struct ReadResponse {
  FrameError error = FrameError::none;
  int exception = 0;  // the exception code when error == FrameError::exception
  std::vector<std::uint16_t> registers;
  std::vector<std::uint8_t> bits;
  bool ok() const { return error == FrameError::none; }
};

// The PDU of a response to a read of `count` items with `function` (1-4).
ReadResponse parse_read_response_pdu(std::span<const std::uint8_t> pdu, std::uint8_t function,
                                     std::uint16_t count);
// A whole RTU response ADU to `unit`'s read request: CRC first, then unit, function, byte count.
ReadResponse parse_rtu_read_response(std::span<const std::uint8_t> adu, int unit,
                                     std::uint8_t function, std::uint16_t count);

// Modbus TCP: the 7-byte MBAP header in front of every PDU. `length` counts the unit byte and
// the PDU.
struct MbapHeader {
  std::uint16_t transaction = 0;
  std::uint16_t protocol = 0;  // always 0 for Modbus
  std::uint16_t length = 0;
  std::uint8_t unit = 0;
  bool operator==(const MbapHeader&) const = default;
};
std::array<std::uint8_t, kMbapHeaderLength> encode_mbap(const MbapHeader& header);
// nullopt when fewer than 7 bytes.
std::optional<MbapHeader> parse_mbap(std::span<const std::uint8_t> bytes);
// MBAP header + PDU with the length filled in.
std::vector<std::uint8_t> tcp_adu(std::uint16_t transaction, int unit,
                                  std::span<const std::uint8_t> pdu);
// A TCP read request ADU, in a fixed array: framed on the bus's hot path without allocating.
inline constexpr std::size_t kTcpReadRequestLength = kMbapHeaderLength + 5;
std::array<std::uint8_t, kTcpReadRequestLength> tcp_read_request(std::uint16_t transaction,
                                                                 int unit, std::uint8_t function,
                                                                 std::uint16_t address,
                                                                 std::uint16_t count);
// Sets the MBAP length field of a received `adu` from the bytes that arrived. libmodbus
// sizes an answer by its function code and never reads the field; filling it in lets
// parse_tcp_read_response check what was read, so a device that fills it wrongly still works.
void set_mbap_length(std::span<std::uint8_t> adu);
// The transaction id of a received `adu` (at least kMbapHeaderLength bytes).
std::uint16_t mbap_transaction(std::span<const std::uint8_t> adu);
// A whole TCP response ADU to (transaction, unit)'s read request.
ReadResponse parse_tcp_read_response(std::span<const std::uint8_t> adu, std::uint16_t transaction,
                                     int unit, std::uint8_t function, std::uint16_t count);

}  // namespace roomd::modbus
