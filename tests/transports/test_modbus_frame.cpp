// Modbus frames against the vectors in the devices' datasheets (XY-MD02, Senseair S8), byte
// for byte, and the ways a response can be wrong.
#include "transports/modbus_frame.hpp"
#include "transports/modbus_types.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <vector>

using namespace roomd::modbus;

using Bytes = std::vector<std::uint8_t>;
using Words = std::vector<std::uint16_t>;

namespace {

Bytes with_crc(Bytes bytes) {
  const std::uint16_t crc = crc16(bytes);
  bytes.push_back(static_cast<std::uint8_t>(crc & 0xFF));
  bytes.push_back(static_cast<std::uint8_t>(crc >> 8));
  return bytes;
}

}  // namespace

TEST_CASE("modbus crc16 matches the spec vectors", "[modbus]") {
  CHECK(crc16(Bytes{0x01, 0x04, 0x00, 0x01, 0x00, 0x02}) == 0x0B20);
  CHECK(crc16(Bytes{0xFE, 0x04, 0x00, 0x03, 0x00, 0x01}) == 0xC5D5);
  CHECK(crc16(Bytes{0x01, 0x04, 0x04, 0x01, 0x31, 0x02, 0x22}) == 0xCE2A);
  // CRC-16/MODBUS check value over "123456789".
  const std::string check = "123456789";
  CHECK(crc16(Bytes(check.begin(), check.end())) == 0x4B37);
  CHECK(crc16(Bytes{}) == 0xFFFF);
}

TEST_CASE("modbus RTU requests are byte-exact, CRC low byte first", "[modbus]") {
  CHECK(rtu_request(1, kFcReadInputRegisters, 1, 2) ==
        Bytes{0x01, 0x04, 0x00, 0x01, 0x00, 0x02, 0x20, 0x0B});
  CHECK(rtu_request(0xFE, kFcReadInputRegisters, 3, 1) ==
        Bytes{0xFE, 0x04, 0x00, 0x03, 0x00, 0x01, 0xD5, 0xC5});
  CHECK(rtu_crc_ok(Bytes{0x01, 0x04, 0x00, 0x01, 0x00, 0x02, 0x20, 0x0B}));
  CHECK_FALSE(rtu_crc_ok(Bytes{0x01, 0x04, 0x00, 0x01, 0x00, 0x02, 0x0B, 0x20}));
  CHECK_FALSE(rtu_crc_ok(Bytes{0x01, 0x04}));
  CHECK(request_pdu(kFcReadHoldingRegisters, 0x1234, 0x0A) == Bytes{0x03, 0x12, 0x34, 0x00, 0x0A});
  CHECK_THROWS_AS(rtu_request(256, kFcReadInputRegisters, 0, 1), std::invalid_argument);
}

TEST_CASE("modbus XY-MD02 response decodes to 30.5 C and 54.6 %RH", "[modbus]") {
  const Bytes response{0x01, 0x04, 0x04, 0x01, 0x31, 0x02, 0x22, 0x2A, 0xCE};
  CHECK(rtu_response_length(response) == response.size());
  const auto r = parse_rtu_read_response(response, 1, kFcReadInputRegisters, 2);
  REQUIRE(r.ok());
  REQUIRE(r.registers == Words{0x0131, 0x0222});
  CHECK(r.registers[0] == 305);
  CHECK(r.registers[1] == 546);
  const std::span<const std::uint16_t> regs(r.registers);
  CHECK(decode(regs.subspan(0, 1), RegisterType::s16, WordOrder::high_first, 0.1) == Approx(30.5));
  CHECK(decode(regs.subspan(1, 1), RegisterType::s16, WordOrder::high_first, 0.1) == Approx(54.6));
}

TEST_CASE("modbus Senseair S8 any-address response decodes to 904 ppm", "[modbus]") {
  const Bytes response{0xFE, 0x04, 0x02, 0x03, 0x88, 0xAD, 0xB2};
  const auto r = parse_rtu_read_response(response, 0xFE, kFcReadInputRegisters, 1);
  REQUIRE(r.ok());
  REQUIRE(r.registers.size() == 1);
  CHECK(decode(r.registers, RegisterType::u16, WordOrder::high_first) == 904);
}

TEST_CASE("modbus RTU responses that are wrong say how", "[modbus]") {
  const Bytes good{0x01, 0x04, 0x04, 0x01, 0x31, 0x02, 0x22, 0x2A, 0xCE};

  SECTION("bad CRC") {
    Bytes bad = good;
    bad[4] ^= 0x01;
    const auto r = parse_rtu_read_response(bad, 1, kFcReadInputRegisters, 2);
    CHECK(r.error == FrameError::bad_crc);
    CHECK(r.registers.empty());
    CHECK(to_string(r.error) == "bad CRC");
  }
  SECTION("exception 2") {
    const Bytes exception = with_crc({0x01, 0x84, 0x02});
    CHECK(exception == Bytes{0x01, 0x84, 0x02, 0xC2, 0xC1});
    CHECK(rtu_response_length(exception) == 5u);
    const auto r = parse_rtu_read_response(exception, 1, kFcReadInputRegisters, 2);
    CHECK(r.error == FrameError::exception);
    CHECK(r.exception == 2);
    CHECK(exception_text(r.exception) == "illegal data address");
  }
  SECTION("another unit") {
    CHECK(parse_rtu_read_response(good, 2, kFcReadInputRegisters, 2).error ==
          FrameError::unit_mismatch);
  }
  SECTION("another function") {
    CHECK(parse_rtu_read_response(good, 1, kFcReadHoldingRegisters, 2).error ==
          FrameError::function_mismatch);
  }
  SECTION("byte count not matching the count asked for") {
    CHECK(parse_rtu_read_response(good, 1, kFcReadInputRegisters, 3).error ==
          FrameError::bad_byte_count);
  }
  SECTION("byte count larger than the frame") {
    const Bytes lying = with_crc({0x01, 0x04, 0x06, 0x01, 0x31, 0x02, 0x22});
    CHECK(parse_rtu_read_response(lying, 1, kFcReadInputRegisters, 3).error ==
          FrameError::truncated);
  }
  SECTION("byte count smaller than the frame") {
    const Bytes lying = with_crc({0x01, 0x04, 0x02, 0x01, 0x31, 0x02, 0x22});
    CHECK(parse_rtu_read_response(lying, 1, kFcReadInputRegisters, 1).error ==
          FrameError::bad_byte_count);
  }
  SECTION("too short to be anything") {
    CHECK(parse_rtu_read_response(Bytes{0x01, 0x04, 0x00}, 1, kFcReadInputRegisters, 1).error ==
          FrameError::truncated);
  }
  SECTION("not a read") {
    CHECK_THROWS_AS(parse_rtu_read_response(good, 1, kFcWriteSingleRegister, 1),
                    std::invalid_argument);
  }
}

TEST_CASE("modbus coil read responses unpack bits LSB first", "[modbus]") {
  // 10 coils: 0b1100'1101, 0b01 -> 1 0 1 1 0 0 1 1 1 0
  const Bytes response = with_crc({0x05, 0x01, 0x02, 0xCD, 0x01});
  const auto r = parse_rtu_read_response(response, 5, kFcReadCoils, 10);
  REQUIRE(r.ok());
  CHECK(r.bits == Bytes{1, 0, 1, 1, 0, 0, 1, 1, 1, 0});
  CHECK(parse_rtu_read_response(response, 5, kFcReadCoils, 17).error == FrameError::bad_byte_count);
}

TEST_CASE("modbus RTU frame lengths are known from their first bytes", "[modbus]") {
  CHECK_FALSE(rtu_request_length(Bytes{0x01}).has_value());
  CHECK(rtu_request_length(Bytes{0x01, 0x04}) == 8u);
  CHECK(rtu_request_length(Bytes{0x01, 0x06}) == 8u);
  CHECK_FALSE(rtu_request_length(Bytes{0x01, 0x10, 0, 0, 0, 2}).has_value());
  CHECK(rtu_request_length(Bytes{0x01, 0x10, 0, 0, 0, 2, 4}) == 13u);
  CHECK(rtu_request_length(Bytes{0x01, 0x0F, 0, 0, 0, 10, 2}) == 11u);
  CHECK(rtu_request_length(Bytes{0x01, 0x16}) == 10u);
  CHECK(rtu_request_length(Bytes{0x01, 0x17, 0, 0, 0, 1, 0, 0, 0, 1, 2}) == 15u);

  CHECK_FALSE(rtu_response_length(Bytes{0x01, 0x03}).has_value());
  CHECK(rtu_response_length(Bytes{0x01, 0x03, 0x04}) == 9u);
  CHECK(rtu_response_length(Bytes{0x01, 0x83}) == 5u);
  CHECK(rtu_response_length(Bytes{0x01, 0x10}) == 8u);
  CHECK(rtu_response_length(Bytes{0x01, 0x16}) == 10u);
}

TEST_CASE("modbus TCP MBAP header round trips and frames a PDU", "[modbus]") {
  const MbapHeader header{.transaction = 0x1234, .protocol = 0, .length = 6, .unit = 0x11};
  const auto bytes = encode_mbap(header);
  CHECK(Bytes(bytes.begin(), bytes.end()) == Bytes{0x12, 0x34, 0x00, 0x00, 0x00, 0x06, 0x11});
  CHECK(parse_mbap(bytes) == header);
  CHECK_FALSE(parse_mbap(Bytes{0x12, 0x34, 0x00}).has_value());

  const auto request = tcp_adu(7, 1, request_pdu(kFcReadInputRegisters, 1, 2));
  CHECK(request == Bytes{0x00, 0x07, 0x00, 0x00, 0x00, 0x06, 0x01, 0x04, 0x00, 0x01, 0x00, 0x02});

  const Bytes response{0x00, 0x07, 0x00, 0x00, 0x00, 0x07, 0x01,
                       0x04, 0x04, 0x01, 0x31, 0x02, 0x22};
  const auto r = parse_tcp_read_response(response, 7, 1, kFcReadInputRegisters, 2);
  REQUIRE(r.ok());
  CHECK(r.registers == Words{305, 546});
  CHECK(parse_tcp_read_response(response, 8, 1, kFcReadInputRegisters, 2).error ==
        FrameError::unit_mismatch);
  CHECK(parse_tcp_read_response(response, 7, 2, kFcReadInputRegisters, 2).error ==
        FrameError::unit_mismatch);

  Bytes other_protocol = response;
  other_protocol[3] = 1;
  CHECK(parse_tcp_read_response(other_protocol, 7, 1, kFcReadInputRegisters, 2).error ==
        FrameError::bad_header);
  const Bytes cut(response.begin(), response.end() - 1);
  CHECK(parse_tcp_read_response(cut, 7, 1, kFcReadInputRegisters, 2).error ==
        FrameError::truncated);

  const Bytes exception{0x00, 0x07, 0x00, 0x00, 0x00, 0x03, 0x01, 0x84, 0x06};
  const auto e = parse_tcp_read_response(exception, 7, 1, kFcReadInputRegisters, 2);
  CHECK(e.error == FrameError::exception);
  CHECK(e.exception == 6);
}

TEST_CASE("modbus frame: a TCP read request, and the answer's length taken from its bytes",
          "[modbus]") {
  const auto request = tcp_read_request(0x1234, 7, kFcReadInputRegisters, 0x0102, 2);
  const std::vector<std::uint8_t> expected = {0x12, 0x34, 0, 0, 0, 6, 7, 0x04, 0x01, 0x02, 0, 2};
  CHECK(std::vector<std::uint8_t>(request.begin(), request.end()) == expected);

  // A device that wrote 0 in the length field: the field is set from the 11 bytes read.
  std::vector<std::uint8_t> answer = {0x12, 0x34, 0, 0, 0, 0, 7, 0x04, 4, 0, 1, 0, 2};
  set_mbap_length(answer);
  CHECK(answer[4] == 0);
  CHECK(answer[5] == 7);
  CHECK(mbap_transaction(answer) == 0x1234);
  const auto parsed = parse_tcp_read_response(answer, 0x1234, 7, kFcReadInputRegisters, 2);
  REQUIRE(parsed.ok());
  CHECK(parsed.registers == std::vector<std::uint16_t>{1, 2});
}
